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

    public boolean exists(Path file) {
        Path dir = file.getParent();
        Path name = file.getFileName();
        if (dir == null || name == null) {
            return Files.exists(file);
        }
        String key = dir.toString();
        FileStat stat;
        try {
            stat = FileStat.of(dir);
        } catch (IOException e) {
            return false; // no such directory
        }
        if (!stat.directory()) {
            return false;
        }
        Listing l = cache.getIfPresent(key);
        if (l == null || !l.stat().equals(stat)) {
            l = list(dir, stat);
            if (l == null) {
                return Files.exists(file);
            }
            cache.put(key, l);
        }
        return l.names().contains(name.toString());
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
