package cache.frontend.key;

import cache.hashing.FileStat;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Answers "does this file exist?" for many paths in few directories with one stat per
 * directory: a directory's listing is remembered together with its stat data, and adding,
 * removing or renaming an entry changes the directory's mtime and ctime.
 */
public final class DirectoryListings {

    private record Listing(FileStat stat, Set<String> names) {}

    private final Cache<String, Listing> cache = Caffeine.newBuilder().maximumSize(20_000).build();

    /**
     * A view for one lookup: each directory is stat'ed at most once through it, so checking
     * thousands of candidates in a few dozen directories costs a few dozen stats.
     */
    public final class Snapshot {
        private final java.util.Map<Path, Set<String>> seen = new java.util.HashMap<>();

        public boolean exists(Path file) {
            Path dir = file.getParent();
            Path name = file.getFileName();
            if (dir == null || name == null) {
                return Files.exists(file);
            }
            Set<String> names = seen.computeIfAbsent(dir, DirectoryListings.this::names);
            return names == null ? Files.exists(file) : names.contains(name.toString());
        }
    }

    public Snapshot snapshot() {
        return new Snapshot();
    }

    /** The current names in {@code dir} (empty when it is absent), or {@code null} when it cannot be listed. */
    private Set<String> names(Path dir) {
        FileStat stat;
        try {
            stat = FileStat.of(dir);
        } catch (IOException e) {
            return Set.of(); // no such directory: nothing in it exists
        }
        if (!stat.directory()) {
            return Set.of();
        }
        String key = dir.toString();
        Listing l = cache.getIfPresent(key);
        if (l == null || !l.stat().equals(stat)) {
            l = list(dir, stat);
            if (l == null) {
                return null;
            }
            cache.put(key, l);
        }
        return l.names();
    }

    private static Listing list(Path dir, FileStat stat) {
        Set<String> names = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
            FileStat after = FileStat.of(dir);
            return after.equals(stat) ? new Listing(stat, names) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
