package cache.frontend.key;

import cache.compat.config.Sloppiness;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileWatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
    /** Stat data remembered while unchanged (inotify), or null: every header and directory stat'ed. */
    private final FileWatch watch;
    /**
     * Candidate paths joined once: directory → name → the one {@code String} of their join. A
     * manifest's directories and names are interned, so both lookups hash nothing and compare
     * by identity, and the joined instance keeps its hash, which the watch's memo of the path
     * (keyed by the instance that was queued) then finds by identity too. A manifest this daemon
     * never decoded (every one a CI runner fetches from remote storage) checks ~1,800
     * candidates for one of lua's sources: concatenating and hashing each path was most of its
     * match. Dropped whole past {@link #JOINED_MAX} paths.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.ConcurrentHashMap<String, String>>
            joinedPaths = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger joinedCount = new java.util.concurrent.atomic.AtomicInteger();
    static final int JOINED_MAX = 200_000;

    public DirectMode(FileHashCache files, DirectoryListings dirs) {
        this(files, dirs, null);
    }

    /** With {@code watch} (nullable) answering a lookup's stats from memory while nothing changed. */
    public DirectMode(FileHashCache files, DirectoryListings dirs, FileWatch watch) {
        this.files = files;
        this.dirs = dirs;
        this.watch = watch;
    }

    /**
     * A manifest result for {@code entryKey}, or {@code null} when this compile must not be
     * remembered: a file changed after {@code notAfterNanos} (while the build ran), a file
     * mentions a time macro, a project header tests {@code __has_include}, or a file cannot be read.
     */
    public Manifest.Result record(Digest entryKey, byte[] preprocessed, SearchPath search, Path cwd, long notAfterNanos,
            boolean commandLineIncludes) {
        return record(entryKey, IncludeScanner.scan(preprocessed), search, cwd, notAfterNanos, commandLineIncludes,
                Set.of());
    }

    /**
     * Whether {@code args} may name files for the compiler to include before the source
     * ({@code -include}, {@code --include}; a superset is harmless). Without them the only file
     * the command line includes is the compiler's implicit {@code stdc-predef.h}, looked up in
     * the bracket chain only.
     */
    public static boolean commandLineIncludes(List<String> args) {
        for (String a : args) {
            if (a.startsWith("-include") || a.startsWith("--include")) {
                return true;
            }
        }
        return false;
    }

    /**
     * ccache's {@code ignore_headers_in_manifest}: files whose path, as the compiler named it or
     * made absolute against {@code cwd}, starts with one of the colon-separated entries are
     * left out of the manifest (neither hashed nor checked on a lookup).
     */
    public static List<IncludeScanner.Included> withoutIgnored(List<IncludeScanner.Included> included, String setting,
            Path cwd) {
        List<String> prefixes = new ArrayList<>();
        for (String p : setting.split(":")) {
            if (!p.isEmpty()) {
                prefixes.add(p);
            }
        }
        if (prefixes.isEmpty()) {
            return included;
        }
        List<IncludeScanner.Included> kept = new ArrayList<>(included.size());
        for (IncludeScanner.Included inc : included) {
            String abs = absolute(cwd.toString(), inc.path());
            if (prefixes.stream().noneMatch(p -> inc.path().startsWith(p) || abs.startsWith(p))) {
                kept.add(inc);
            }
        }
        return kept;
    }

    /**
     * {@link #record(Digest, byte[], SearchPath, Path, long, boolean)} for includes already scanned
     * (and filtered), under the call's {@code sloppiness}, as ccache 4.7 records headers: {@code
     * include_file_mtime}/{@code include_file_ctime} leave that time out of the "changed during
     * the build" test; a header mentioning {@code __TIME__} is not recorded unless {@code
     * time_macros}; one mentioning {@code __DATE__} or {@code __TIMESTAMP__} is recorded with
     * today's date or its modification time in its digest ({@link #headerDigest}).
     */
    public Manifest.Result record(Digest entryKey, List<IncludeScanner.Included> included, SearchPath search, Path cwd,
            long notAfterNanos, boolean commandLineIncludes, Set<Sloppiness> sloppy) {
        List<Manifest.Header> headers = new ArrayList<>();
        DirectoryListings.Snapshot listing = dirs.snapshot();
        List<FileHashCache.Hashed> hashed = new ArrayList<>(included.size());
        java.util.Map<String, Boolean> quoting = new java.util.HashMap<>();
        for (IncludeScanner.Included inc : included) {
            FileHashCache.Hashed h;
            try {
                h = files.hash(cwd.resolve(inc.path()));
            } catch (IOException e) {
                return null;
            }
            if (h.stat().changedSince(notAfterNanos, !sloppy.contains(Sloppiness.INCLUDE_FILE_MTIME),
                            !sloppy.contains(Sloppiness.INCLUDE_FILE_CTIME))
                    || ((h.flags() & FileHashCache.TIME) != 0 && !sloppy.contains(Sloppiness.TIME_MACROS))
                    || ((h.flags() & FileHashCache.HAS_INCLUDE) != 0 && !isSystemHeader(inc.path()))) {
                return null;
            }
            hashed.add(h);
            quoting.put(inc.path(), (h.flags() & FileHashCache.QUOTE_INCLUDE) != 0);
        }
        Includers includers = includers(included, quoting, cwd, commandLineIncludes);
        for (int i = 0; i < included.size(); i++) {
            IncludeScanner.Included inc = included.get(i);
            List<Manifest.Candidate> cands = new ArrayList<>();
            for (String c : includers.candidates(inc, search)) {
                cands.add(new Manifest.Candidate(c, listing.exists(absolute(cwd.toString(), c))));
            }
            headers.add(new Manifest.Header(inc.path(), headerDigest(hashed.get(i), sloppy), List.copyOf(cands)));
        }
        return new Manifest.Result(entryKey, List.copyOf(headers));
    }

    /**
     * Who may have searched their own directory: every file read with a quote include (or a
     * macro include), the main source included, may have included any header that way,
     * visible in the output or skipped by a guard. {@code quotes}: whether each includer may
     * have (a quote or macro include); {@code dirs}: their directories.
     */
    private record Includers(Set<String> dirs, java.util.Map<String, Boolean> quotes) {
        Set<String> candidates(IncludeScanner.Included inc, SearchPath search) {
            return DirectMode.candidates(inc, search, dirs, quotes.get(inc.includer()));
        }
    }

    /** {@link Includers} of {@code included}, whose own flags are in {@code quoting} (the others are read here). */
    private Includers includers(List<IncludeScanner.Included> included, java.util.Map<String, Boolean> quoting, Path cwd,
            boolean commandLineIncludes) {
        Set<String> includerDirs = new LinkedHashSet<>();
        java.util.Map<String, Boolean> quotes = new java.util.HashMap<>(quoting);
        for (IncludeScanner.Included inc : included) {
            if (quoting.get(inc.path())) {
                includerDirs.add(dirName(inc.path()));
            }
        }
        for (IncludeScanner.Included inc : included) {
            String includer = inc.includer();
            if (!quotes.containsKey(includer)) {
                boolean commandLine = includer.startsWith("<");
                boolean may = commandLine ? commandLineIncludes : quotesOrUnknown(includer, cwd);
                quotes.put(includer, may);
                if (may && !commandLine) {
                    includerDirs.add(dirName(includer));
                }
            }
        }
        return new Includers(includerDirs, quotes);
    }

    /**
     * Whether {@code includer}, a file not in the list (the main source), has a quote or macro
     * include, so that the compiler may have searched its directory; unreadable counts as yes.
     * A main source with only {@code <...>} includes leaves its directory out, so objects
     * written next to it (which change its listing on every compile) cost nothing.
     */
    private boolean quotesOrUnknown(String includer, Path cwd) {
        try {
            return (files.hash(cwd.resolve(includer)).flags() & FileHashCache.QUOTE_INCLUDE) != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /**
     * A manifest result from the files a compile's dependency file lists (depend mode: no
     * preprocessor output, so no line markers). Which file included which is unknown; every
     * listed file's directory counts as a possible includer, as {@link #candidates} does anyway.
     */
    public Manifest.Result recordFromDependencies(Digest entryKey, String source, List<String> headers,
            SearchPath search, Path cwd, long notAfterNanos, boolean commandLineIncludes, String ignoredHeaders,
            Set<Sloppiness> sloppy) {
        List<IncludeScanner.Included> included = new ArrayList<>(headers.size());
        for (String h : headers) {
            included.add(new IncludeScanner.Included(h, source));
        }
        return record(entryKey, withoutIgnored(included, ignoredHeaders, cwd), search, cwd, notAfterNanos,
                commandLineIncludes, sloppy);
    }

    /**
     * What a manifest holds for a header: its digest, and unless {@code time_macros} is sloppy,
     * today's date when it mentions {@code __DATE__} and its modification time when it mentions
     * {@code __TIMESTAMP__} (the expansions are not in its bytes; ccache hashes them likewise).
     */
    static Digest headerDigest(FileHashCache.Hashed h, Set<Sloppiness> sloppy) {
        int time = h.flags() & (FileHashCache.DATE | FileHashCache.TIMESTAMP);
        if (time == 0 || sloppy.contains(Sloppiness.TIME_MACROS)) {
            return h.digest();
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(h.digest().toBytes());
        if ((time & FileHashCache.DATE) != 0) {
            b.writeBytes(("date " + LocalDate.now()).getBytes(StandardCharsets.UTF_8));
        }
        if ((time & FileHashCache.TIMESTAMP) != 0) {
            b.writeBytes(("timestamp " + h.stat().mtimeNanos()).getBytes(StandardCharsets.UTF_8));
        }
        return Digest.of(b.toByteArray());
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

    /**
     * The entry key of the newest result that still holds in {@code cwd}, or {@code null}: every
     * header still has its digest and every candidate its recorded existence. Each header is
     * stat'ed at most once and each candidate directory listed at most once per call; with a
     * {@link FileWatch}, what has not changed since an earlier lookup is not stat'ed at all: a
     * candidate is absent when its directory's remembered names lack it (one lookup per
     * directory, so a manifest never decoded before, as every one fetched from remote storage,
     * costs a few dozen lookups and a set test per candidate, not a lookup per candidate path),
     * and answered on its own when they hold it or its directory keeps getting new names
     * (objects written next to sources: its absence stays known while they are), and the
     * answer itself is remembered with the manifest until inotify reports a change to one of
     * the files, directories or candidates it was drawn from.
     */
    public Digest match(PreparedManifest m, Path cwd) {
        return match(m, cwd, Set.of());
    }

    /** {@link #match(PreparedManifest, Path)} with the headers' digests as {@link #headerDigest} gives them. */
    public Digest match(PreparedManifest m, Path cwd, Set<Sloppiness> sloppy) {
        return match(m, cwd, sloppy, System.nanoTime());
    }

    /**
     * {@link #match(PreparedManifest, Path, Set)} for a call that began at {@code since} ({@link
     * System#nanoTime()}): files as they were then at the earliest.
     */
    public Digest match(PreparedManifest m, Path cwd, Set<Sloppiness> sloppy, long since) {
        String base = cwd.toString();
        FileWatch.Session watched = watch == null ? null : watch.session(since);
        if (watched == null) {
            return match(m, base, sloppy, null, new boolean[1]);
        }
        PreparedManifest.Matched known = remembered(m, base, sloppy);
        if (known != null) {
            return known.entryKey();
        }
        watched.record();
        boolean[] dated = new boolean[1];
        Digest key = match(m, base, sloppy, watched, dated);
        FileWatch.Dependencies answers = watched.recorded();
        // A digest with today's date in it is not the same tomorrow, though no file changed.
        m.matched = answers == null || dated[0] ? null : new PreparedManifest.Matched(base, sloppy, key, answers);
        return key;
    }

    /**
     * Whether {@link #match(PreparedManifest, Path, Set, long)} for a call that began at {@code
     * since} would give {@code m}'s remembered answer without looking at a file: a match made from
     * {@code cwd} with the same sloppiness, none of whose files has changed since (the changes
     * made before the call began read first, as the match reads them).
     */
    public boolean remembered(PreparedManifest m, Path cwd, Set<Sloppiness> sloppy, long since) {
        if (watch == null) {
            return false;
        }
        watch.session(since); // the changes made before the call began, read as the match reads them
        return remembered(m, cwd.toString(), sloppy) != null;
    }

    /** {@code m}'s remembered match when it holds for {@code base} and {@code sloppy} now, else null. */
    private static PreparedManifest.Matched remembered(PreparedManifest m, String base, Set<Sloppiness> sloppy) {
        PreparedManifest.Matched known = m.matched;
        return known != null && known.cwd().equals(base) && known.sloppy().equals(sloppy) && known.since().unchanged()
                ? known : null;
    }

    /**
     * The match itself; {@code watched} (nullable) answers the stats, {@code dated[0]} is set
     * when a digest compared holds today's date ({@code __DATE__}).
     */
    private Digest match(PreparedManifest m, String base, Set<Sloppiness> sloppy, FileWatch.Session watched,
            boolean[] dated) {
        DirectoryListings.Snapshot listing = dirs.snapshot();
        Digest[] digests = new Digest[m.files.length];
        boolean[] unreadable = new boolean[m.files.length];
        List<Set<String>> names = new ArrayList<>(java.util.Collections.nCopies(m.dirs.length, (Set<String>) null));
        boolean[] listed = new boolean[m.dirs.length];
        byte[] exists = new byte[m.candidateName.length]; // 0 unknown, 1 absent, 2 present
        // With the watch: each candidate directory's remembered names, asked once per lookup
        Set<String>[] remembered = watched == null ? null : newSetArray(m.dirs.length);
        boolean[] asked = watched == null ? null : new boolean[m.dirs.length];
        results:
        for (int r = m.resultFiles.length - 1; r >= 0; r--) {
            int[] fs = m.resultFiles[r];
            Digest[] ds = m.resultDigests[r];
            for (int i = 0; i < fs.length; i++) {
                int f = fs[i];
                if (digests[f] == null && !unreadable[f]) {
                    try {
                        // With the watch the path is looked up as written, ".." and all: its walk (a link
                        // before a "..") is what the watch follows; the canonical form would hide it.
                        String path = absolute(base, m.files[f]);
                        FileHashCache.Hashed h = files.hash(Path.of(watched != null ? path : listing.statPath(path)),
                                watched);
                        dated[0] |= (h.flags() & FileHashCache.DATE) != 0;
                        digests[f] = headerDigest(h, sloppy);
                    } catch (IOException | RuntimeException e) {
                        unreadable[f] = true; // gone or unreadable; the preprocessor run will tell
                    }
                }
                if (unreadable[f] || !ds[i].equals(digests[f])) {
                    continue results;
                }
            }
            int[] cs = m.resultCandidates[r];
            boolean[] ex = m.resultExisted[r];
            for (int i = 0; i < cs.length; i++) {
                int c = cs[i];
                if (exists[c] == 0 && watched != null) {
                    // A name its directory's remembered names lack is absent: one lookup per directory,
                    // then a set test with the name's cached hash. A name they hold (it may be a
                    // dangling link) or a directory not remembered is asked alone: remembered, else
                    // from the listings below (and watched from the next lookup on).
                    int d = m.candidateDir[c];
                    String name = m.candidateName[c];
                    if (!asked[d]) {
                        remembered[d] = watched.names(absolute(base, m.dirs[d]));
                        asked[d] = true;
                    }
                    Set<String> in = remembered[d];
                    if (in != null && !in.contains(name) && !dotted(name)) {
                        exists[c] = 1;
                    } else {
                        int known = watched.remembered(joined(absolute(base, m.dirs[d]), name));
                        exists[c] = (byte) (known == FileWatch.PRESENT ? 2 : known == FileWatch.ABSENT ? 1 : 0);
                    }
                }
                if (exists[c] == 0) {
                    int d = m.candidateDir[c];
                    if (!listed[d]) {
                        names.set(d, listing.namesIn(absolute(base, m.dirs[d])));
                        listed[d] = true;
                    }
                    Set<String> in = names.get(d);
                    boolean present = in != null ? in.contains(m.candidateName[c])
                            : listing.exists(absolute(base, m.dirs[d]) + "/" + m.candidateName[c]);
                    exists[c] = (byte) (present ? 2 : 1);
                }
                if ((exists[c] == 2) != ex[i]) {
                    continue results;
                }
            }
            return m.entryKeys[r];
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] newSetArray(int n) {
        return (Set<String>[]) new Set<?>[n];
    }

    /** "", "." or "..": a name no listing holds that still resolves. */
    private static boolean dotted(String name) {
        return name.length() <= 2 && (name.isEmpty() || name.equals(".") || name.equals(".."));
    }

    /** {@code path} as an absolute path string: relative paths are relative to {@code cwd}, not normalized. */
    static String absolute(String cwd, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        if (path.isEmpty()) {
            return cwd;
        }
        return cwd.endsWith("/") ? cwd + path : cwd + "/" + path;
    }

    /**
     * Paths that would have been found before {@code inc} for some spelling of its #include.
     *
     * <p>{@code quoteSearch}: whether the includer may have used a quote include (it has one, or
     * a macro include, or it is {@code <command-line>} with {@code -include} options). Then the
     * search starts in the includer's directory ({@code ""}, the working directory, for the
     * command line), then the quote-only directories, then the bracket chain; otherwise it is
     * the bracket chain alone (where the compiler looks up the {@code stdc-predef.h} it
     * includes implicitly). {@code #include_next} searches a suffix of these, so the longer
     * chain only adds candidates.
     *
     * <p>A header included a second time is skipped by its include guard (or
     * {@code #pragma once}) and leaves no line marker, so which other files included it, and
     * from where, is not known. Any of them may have: the same spellings next to every
     * includer in {@code includerDirs} (the files with quote includes) and in the quote-only
     * directories are candidates too.
     */
    static Set<String> candidates(IncludeScanner.Included inc, SearchPath search, Set<String> includerDirs,
            boolean quoteSearch) {
        String path = inc.path();
        List<String> chain;
        if (quoteSearch) {
            chain = search.quoteChain(dirName(inc.includer()));
        } else if (!includerDirs.isEmpty() && !search.quoteOnly().isEmpty()) {
            // a file with quote includes may have included this one too (then skipped by its
            // guard), through the quote-only directories
            chain = new ArrayList<>(search.quoteOnly());
            chain.addAll(search.bracket());
        } else {
            chain = search.bracket();
        }
        Set<String> out = new LinkedHashSet<>();
        Set<String> spellings = new LinkedHashSet<>();
        for (int k = 0; k < chain.size(); k++) {
            String name = nameUnder(chain.get(k), path);
            if (name == null) {
                continue;
            }
            spellings.add(name);
            for (int j = 0; j < k; j++) {
                add(out, join(chain.get(j), name), path);
            }
            for (String missing : search.missing()) {
                add(out, join(missing, name), path);
            }
        }
        for (String dir : includerDirs) {
            String name = nameUnder(dir, path);
            if (name != null) {
                spellings.add(name);
            }
        }
        for (String dir : includerDirs) {
            for (String name : spellings) {
                add(out, join(dir, name), path);
            }
        }
        // A precompiled header: gcc looks for NAME.gch in each directory just before NAME, for
        // any include; clang for NAME.pch (and .gch) for -include. One that appears (or goes)
        // wherever the header was or could have been found changes what the compiler reads.
        boolean commandLine = inc.includer().startsWith("<");
        List<String> places = new ArrayList<>(out.size() + 1);
        places.addAll(out);
        places.add(path);
        for (String place : places) {
            out.add(place + GCH);
            if (commandLine) {
                out.add(place + PCH);
            }
        }
        return out;
    }

    static final String GCH = ".gch";
    static final String PCH = ".pch";

    /**
     * A precompiled header the compiler could read instead of one of {@code included} (a
     * {@code .gch} or {@code .pch} that exists where {@link #candidates} looks), or null. Its
     * contents are not in the preprocessed text, so such a call is not cached (ccache does the
     * same unless told to hash the file and trust its defines).
     */
    public String precompiledHeader(List<IncludeScanner.Included> included, SearchPath search, Path cwd,
            boolean commandLineIncludes) {
        return precompiledHeader(included, included, search, cwd, commandLineIncludes);
    }

    /**
     * {@link #precompiledHeader(List, SearchPath, Path, boolean)} looking only for the headers
     * in {@code candidates} ({@link IncludeScanner#precompilable}), among all {@code included}.
     */
    public String precompiledHeader(List<IncludeScanner.Included> included, List<IncludeScanner.Included> candidates,
            SearchPath search, Path cwd, boolean commandLineIncludes) {
        DirectoryListings.Snapshot listing = dirs.snapshot();
        java.util.Map<String, Boolean> quoting = new java.util.HashMap<>();
        for (IncludeScanner.Included inc : included) {
            quoting.put(inc.path(), quotesOrUnknown(inc.path(), cwd));
        }
        Includers includers = includers(included, quoting, cwd, commandLineIncludes);
        for (IncludeScanner.Included inc : candidates) {
            for (String c : includers.candidates(inc, search)) {
                if ((c.endsWith(GCH) || c.endsWith(PCH)) && listing.exists(absolute(cwd.toString(), c))) {
                    return c;
                }
            }
        }
        return null;
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

    /** {@link #join}, the same instance for the same directory and name (see {@link #joinedPaths}). */
    String joined(String dir, String name) {
        java.util.concurrent.ConcurrentHashMap<String, String> in = joinedPaths.get(dir);
        if (in == null) {
            in = joinedPaths.computeIfAbsent(dir, k -> new java.util.concurrent.ConcurrentHashMap<>());
        }
        String path = in.get(name);
        if (path == null) {
            if (joinedCount.incrementAndGet() > JOINED_MAX) {
                joinedCount.set(0);
                joinedPaths.clear();
            }
            path = join(dir, name);
            String first = in.putIfAbsent(name, path);
            if (first != null) {
                path = first;
            }
        }
        return path;
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
