package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One user, two daemons (two {@code XDG_RUNTIME_DIR}s: a second login session, a build
 * service), one private cache directory. RocksDB admits one process, so the first daemon holds
 * the store and serves it on {@code <dir>/store.sock}, readable and writable by its owner alone;
 * the second uses it through that socket: both compile with the cache, see each other's
 * entries, and {@code --print-stats} answers from both with the same counters (it failed on
 * RocksDB's lock before). When the holder stops, the other daemon takes the store over.
 */
@Timeout(300)
class OneUserTwoDaemonsIT {

    @TempDir
    Path tmp;

    @Test
    void aSecondDaemonOfTheSameUserUsesTheHoldersStoreAndShowsItsStatistics() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (String name : List.of("a", "b", "c")) {
            Path c = src.resolve(name + ".c");
            Files.writeString(c, "int " + name + "_twice(int n) { return n * 2 + '" + name + "'; }\n");
        }
        CacheFixture.backdate(src);
        try (CacheFixture first = new CacheFixture(Files.createDirectories(tmp.resolve("first")));
                CacheFixture second = new CacheFixture(Files.createDirectories(tmp.resolve("second")))) {
            Files.setPosixFilePermissions(first.cacheDir, PosixFilePermissions.fromString("rwx------"));
            second.env.put("CCACHE_DIR", first.cacheDir.toString());

            compile(first, src, "a"); // a miss: the first daemon opens the store and serves it
            Path socket = first.cacheDir.resolve("store.sock");
            assertTrue(Files.exists(socket), "the holder serves the store: " + log(first));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                    "a private directory's socket is its owner's alone");
            compile(second, src, "a"); // a hit through the holder's socket
            compile(second, src, "b"); // a miss, stored through it
            compile(first, src, "b"); // a hit on the second daemon's entry
            assertTrue(log(second).contains("using the store of " + first.cacheDir + " through"), log(second));

            Map<String, Long> byFirst = first.stats();
            Map<String, Long> bySecond = second.stats(); // failed on RocksDB's lock before
            assertEquals(2L, byFirst.get("cache_miss"), "a and b compiled once: " + byFirst);
            assertEquals(2L, byFirst.get("direct_cache_hit"), "each daemon hit the other's entry: " + byFirst);
            assertEquals(byFirst.get("cache_miss"), bySecond.get("cache_miss"), "one set of counters: " + bySecond);
            assertEquals(byFirst.get("direct_cache_hit"), bySecond.get("direct_cache_hit"), bySecond.toString());
            CacheFixture.Result zero = second.cache(tmp, "-z");
            assertEquals(0, zero.exitCode(), "-z from the second daemon: " + zero.err());
            assertEquals(0L, first.stats().getOrDefault("cache_miss", 0L), "zeroed in the one store");

            // The holder goes: the second daemon takes the store over (its first call may compile
            // without the store while the holder lets it go; none fails).
            first.stopDaemon();
            for (int i = 0; i < 3; i++) {
                compile(second, src, "c");
            }
            assertTrue(log(second).contains("opened the store of " + first.cacheDir), log(second));
            Map<String, Long> after = second.stats();
            assertEquals(1L, after.get("cache_miss"), "c compiled once: " + after);
            assertTrue(after.get("direct_cache_hit") >= 1, "then hit: " + after);
        }
    }

    private static void compile(CacheFixture cache, Path src, String name) throws Exception {
        Path out = cache.root.resolve(name + ".o");
        CacheFixture.Result r = cache.cache(src, "gcc", "-O2", "-c", name + ".c", "-o", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        Path plain = cache.root.resolve(name + "-plain.o");
        CacheFixture.Result p = CacheFixture.run(src, List.of("gcc", "-O2", "-c", name + ".c", "-o", plain.toString()),
                cache.env);
        assertEquals(0, p.exitCode(), p.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(out), name + ".o equals gcc's");
    }

    private static String log(CacheFixture cache) throws Exception {
        Path log = cache.runtimeDir.resolve("cache/d.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }
}
