package cache.frontend.key;

import cache.hashing.FileStat;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Answers "does this file exist?" for many paths in few directories with one stat per
 * existing directory: a directory's listing is remembered together with its stat data, and
 * adding, removing or renaming an entry changes the directory's mtime and ctime.
 *
 * <p>Most shadowing candidates lie in directories that do not exist at all
 * ({@code /usr/local/include/bits/types}). Their absence is read from the parent's listing,
 * recursively, so a missing directory costs no system call (and no failed stat, which in Java
 * also costs an exception).
 */
public final class DirectoryListings {

    /** Listings of directories with more names than this are not re-read on every change. */
    static final int LARGE = 512;

    private record Listing(FileStat stat, Set<String> names) {}

    private final Cache<String, Listing> cache = Caffeine.newBuilder().maximumSize(20_000).build();
    /** Large directories seen changed, with the stat they had then: stable at the next look, they are listed again. */
    private final Cache<String, FileStat> changed = Caffeine.newBuilder().maximumSize(1_000).build();

    /**
     * A view for one lookup: each directory is stat'ed at most once through it, so checking
     * thousands of candidates in a few dozen directories costs a few dozen stats.
     */
    public final class Snapshot {
        /** Directory → its names; {@link #ABSENT} when it does not exist, {@code null} value when unknown. */
        private final Map<String, Set<String>> seen = new HashMap<>();
        /** Prefixes ending in ".." → their real path, or "" when they do not resolve. */
        private final Map<String, String> resolved = new HashMap<>();

        /**
         * The names in the absolute directory {@code dir} (empty when it does not exist), or
         * {@code null} when they must be checked one by one with {@link #exists(String)}.
         */
        public Set<String> namesIn(String dir) {
            if (!plain(dir)) {
                dir = canonical(dir);
                if (dir == null) {
                    return ABSENT;
                }
            }
            Set<String> names = names(dir);
            return names == UNLISTABLE || names == LARGE_CHANGED ? null : names;
        }

        /** Whether the absolute path {@code file} exists, following links. */
        public boolean exists(String file) {
            if (!plain(file)) {
                file = canonical(file);
                if (file == null) {
                    return false;
                }
            }
            int slash = file.lastIndexOf('/');
            if (slash < 0 || slash == file.length() - 1) {
                return existsOnDisk(file);
            }
            String dir = slash == 0 ? "/" : file.substring(0, slash);
            String name = file.substring(slash + 1);
            Set<String> names = names(dir);
            if (names == UNLISTABLE || names == LARGE_CHANGED) {
                return existsOnDisk(file);
            }
            return names.contains(name);
        }

        /**
         * The path to stat for {@code file}: without "." and ".." components when its prefix
         * resolves (the same file, with a shorter walk for the kernel), else {@code file} itself.
         */
        public String statPath(String file) {
            if (plain(file)) {
                return file;
            }
            String c = canonical(file);
            return c == null ? file : c;
        }

        /**
         * {@code file} without "." and ".." components, or {@code null} when what precedes its
         * last ".." does not exist. The part up to the last ".." is resolved by the kernel
         * (a ".." after a symbolic link leaves the link's target, not the link's directory);
         * the rest has no ".." and is cleaned up as text.
         */
        private String canonical(String file) {
            if (!file.startsWith("/")) {
                return null;
            }
            int dots = lastDotDot(file);
            String head = "/";
            String tail = file;
            if (dots >= 0) {
                String prefix = file.substring(0, dots + 3);
                tail = file.substring(dots + 3);
                head = resolved.computeIfAbsent(prefix, p -> {
                    try {
                        return Path.of(p).toRealPath().toString();
                    } catch (IOException | RuntimeException e) {
                        return "";
                    }
                });
                if (head.isEmpty()) {
                    return null;
                }
            }
            StringBuilder out = new StringBuilder(head.equals("/") ? "" : head);
            for (String part : tail.split("/")) {
                if (!part.isEmpty() && !part.equals(".")) {
                    out.append('/').append(part);
                }
            }
            return out.length() == 0 ? "/" : out.toString();
        }

        /** The names in {@code dir}: {@link #ABSENT}, {@link #UNLISTABLE}, {@link #LARGE_CHANGED} or a listing. */
        private Set<String> names(String dir) {
            Set<String> known = seen.get(dir);
            if (known != null) {
                return known;
            }
            Set<String> names;
            int slash = dir.lastIndexOf('/');
            if (slash >= 0 && !dir.equals("/")) {
                // Only stat a directory its parent lists: a missing one is known without a system call.
                String parent = slash == 0 ? "/" : dir.substring(0, slash);
                Set<String> up = names(parent);
                if (up != UNLISTABLE && up != LARGE_CHANGED && !up.contains(dir.substring(slash + 1))) {
                    names = ABSENT;
                } else {
                    names = listing(dir);
                }
            } else {
                names = listing(dir);
            }
            seen.put(dir, names);
            return names;
        }
    }

    /** Marker sets, compared by identity. */
    private static final Set<String> ABSENT = Set.of();
    private static final Set<String> UNLISTABLE = new HashSet<>();
    private static final Set<String> LARGE_CHANGED = new HashSet<>();

    public Snapshot snapshot() {
        return new Snapshot();
    }

    /** Index of the last "/.." component of {@code path}, or -1. */
    static int lastDotDot(String path) {
        int at = path.length();
        while ((at = path.lastIndexOf("/..", at - 1)) >= 0) {
            int end = at + 3;
            if (end == path.length() || path.charAt(end) == '/') {
                return at;
            }
            if (at == 0) {
                break;
            }
        }
        return -1;
    }

    /** No ".", ".." or empty component: the string names the path the kernel resolves component by component. */
    static boolean plain(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        return !path.contains("/./") && !path.contains("/../") && !path.contains("//") && !path.endsWith("/.")
                && !path.endsWith("/..") && (path.length() == 1 || !path.endsWith("/"));
    }

    /** One stat, following links; an error other than absence (a permission) counts as absent, as for the compiler. */
    static boolean existsOnDisk(String file) {
        try {
            return FileStat.ofOrNull(Path.of(file)) != null;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The current names in {@code dir}, {@link #ABSENT} when it is not a directory, or a marker. */
    private Set<String> listing(String dir) {
        Path path = Path.of(dir);
        FileStat stat;
        try {
            stat = FileStat.ofOrNull(path);
        } catch (IOException e) {
            return ABSENT; // unreadable: the compiler cannot find anything in it either
        }
        if (stat == null || !stat.directory()) {
            return ABSENT;
        }
        Listing l = cache.getIfPresent(dir);
        if (l != null && l.stat().equals(stat)) {
            return l.names();
        }
        if (l != null && l.names().size() > LARGE && !stat.equals(changed.getIfPresent(dir))) {
            // A big directory that keeps changing (objects written next to sources): checking the
            // few names needed one by one is cheaper than listing it again on every call. Once it
            // is seen unchanged between two lookups it is listed again.
            changed.put(dir, stat);
            return LARGE_CHANGED;
        }
        changed.invalidate(dir);
        l = list(path, stat);
        if (l == null) {
            return UNLISTABLE;
        }
        cache.put(dir, l);
        return l.names();
    }

    private static Listing list(Path dir, FileStat stat) {
        Set<String> names = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
            FileStat after = FileStat.of(dir);
            return after.equals(stat) ? new Listing(stat, Set.copyOf(names)) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
