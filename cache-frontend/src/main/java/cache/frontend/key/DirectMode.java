package cache.frontend.key;

import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Records and checks direct-mode manifests.
 *
 * <p>Shadowing: ccache's manifests only check that the headers used last time are unchanged,
 * so a new header in an earlier include directory (which the compiler would now pick instead)
 * goes unnoticed and a stale object is served. Here every recorded header also carries its
 * candidates — the same name in every directory searched before the one it was found in —
 * with whether each existed. Because the exact spelling of the {@code #include} is not in the
 * preprocessed text, every directory of the search chain that is a prefix of the header's path
 * counts as a possible origin; that only adds candidates. Existence is answered from
 * directory listings remembered by the directories' stat data, so the check costs one stat
 * per directory, not one per candidate.
 */
public final class DirectMode {

    private final FileHashCache files;
    private final DirectoryListings dirs;

    public DirectMode(FileHashCache files, DirectoryListings dirs) {
        this.files = files;
        this.dirs = dirs;
    }

    /**
     * A manifest result for {@code entryKey}, or {@code null} when this compile must not be
     * remembered: a file changed after {@code notAfterNanos} (while the build ran), a file
     * mentions a time macro, a project header tests {@code __has_include}, or a file cannot be read.
     */
    public Manifest.Result record(Digest entryKey, byte[] preprocessed, SearchPath search, Path cwd, long notAfterNanos) {
        List<Manifest.Header> headers = new ArrayList<>();
        DirectoryListings.Snapshot listing = dirs.snapshot();
        for (IncludeScanner.Included inc : IncludeScanner.scan(preprocessed)) {
            FileHashCache.Hashed h;
            try {
                h = files.hash(cwd.resolve(inc.path()));
            } catch (IOException e) {
                return null;
            }
            if (h.stat().mtimeNanos() >= notAfterNanos || h.stat().ctimeNanos() >= notAfterNanos
                    || (h.timeMacros() & ~FileHashCache.HAS_INCLUDE) != 0
                    || ((h.timeMacros() & FileHashCache.HAS_INCLUDE) != 0 && !isSystemHeader(inc.path()))) {
                return null;
            }
            List<Manifest.Candidate> cands = new ArrayList<>();
            for (String c : candidates(inc, search)) {
                cands.add(new Manifest.Candidate(c, listing.exists(cwd.resolve(c))));
            }
            headers.add(new Manifest.Header(inc.path(), h.digest(), List.copyOf(cands)));
        }
        return new Manifest.Result(entryKey, List.copyOf(headers));
    }

    /**
     * Headers of the system and the compiler: their {@code __has_include} tests (libstdc++ is
     * full of them) are trusted to stay stable, as ccache trusts system headers; a project's own
     * header with {@code __has_include} keeps its calls in preprocessor mode.
     */
    static boolean isSystemHeader(String path) {
        return path.startsWith("/usr/include/") || path.startsWith("/usr/lib/gcc/") || path.startsWith("/usr/lib/llvm-")
                || path.startsWith("/usr/local/include/");
    }

    /** The entry key of the newest result that still holds in {@code cwd}, or {@code null}. */
    public Digest match(Manifest manifest, Path cwd) {
        Map<String, Digest> digests = new HashMap<>();
        Map<String, Boolean> existence = new HashMap<>();
        DirectoryListings.Snapshot listing = dirs.snapshot();
        List<Manifest.Result> results = manifest.results();
        for (int i = results.size() - 1; i >= 0; i--) {
            if (holds(results.get(i), cwd, digests, existence, listing)) {
                return results.get(i).entryKey();
            }
        }
        return null;
    }

    private boolean holds(Manifest.Result r, Path cwd, Map<String, Digest> digests, Map<String, Boolean> existence,
            DirectoryListings.Snapshot listing) {
        for (Manifest.Header h : r.headers()) {
            Digest now = digests.computeIfAbsent(h.path(), p -> {
                try {
                    return files.hash(cwd.resolve(p)).digest();
                } catch (IOException e) {
                    return null;
                }
            });
            if (!h.digest().equals(now)) {
                return false;
            }
            for (Manifest.Candidate c : h.candidates()) {
                boolean exists = existence.computeIfAbsent(c.path(), p -> listing.exists(cwd.resolve(p)));
                if (exists != c.existed()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Paths that would have been found before {@code inc} for some spelling of its #include. */
    static Set<String> candidates(IncludeScanner.Included inc, SearchPath search) {
        String path = inc.path();
        List<String> chain = search.quoteChain(dirName(inc.includer()));
        Set<String> out = new LinkedHashSet<>();
        for (int k = 0; k < chain.size(); k++) {
            String name = nameUnder(chain.get(k), path);
            if (name == null) {
                continue;
            }
            for (int j = 0; j < k; j++) {
                add(out, join(chain.get(j), name), path);
            }
            for (String missing : search.missing()) {
                add(out, join(missing, name), path);
            }
        }
        return out;
    }

    private static void add(Set<String> out, String candidate, String self) {
        if (!candidate.equals(self)) {
            out.add(candidate);
        }
    }

    /** The include name that {@code dir} + name spells {@code path}, or {@code null}. */
    static String nameUnder(String dir, String path) {
        if (dir.isEmpty() || dir.equals(".")) {
            return path.startsWith("/") ? null : (path.startsWith("./") ? path.substring(2) : path);
        }
        String prefix = dir.endsWith("/") ? dir : dir + "/";
        return path.startsWith(prefix) && path.length() > prefix.length() ? path.substring(prefix.length()) : null;
    }

    static String join(String dir, String name) {
        if (dir.isEmpty()) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** The directory part of a path as gcc would prefix it ("" for a bare file name). */
    static String dirName(String file) {
        if (file.startsWith("<")) {
            return "";
        }
        int slash = file.lastIndexOf('/');
        return slash < 0 ? "" : (slash == 0 ? "/" : file.substring(0, slash));
    }
}
