package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ways in (prefix, masquerade links, CMake launcher) and the admin commands. */
@Timeout(300)
class FrontDoorIT extends CacheWorkDir {

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(work.resolve("a.c"), "int a(int x) { return x * 2; }\n");
    }

    @Test
    void masqueradeLinksFindTheRealCompilerAndHit() throws Exception {
        assertEquals(0, cache.run(work, List.of("gcc", "-O2", "-c", "a.c", "-o", "plain.o")).exitCode());
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("PATH", cache.masqueradePath(tmp.resolve("links")));
        assertTrue(Files.isSymbolicLink(tmp.resolve("links/gcc")));
        for (String cc : List.of("gcc", "cc", "gcc")) {
            // As a shell finds it through PATH (Java would search its own PATH, not the child's).
            String link = tmp.resolve("links").resolve(cc).toString();
            CacheFixture.Result r = CacheFixture.run(work, List.of(link, "-O2", "-c", "a.c", "-o", "m.o"), env);
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("m.o")));
        }
        // gcc then cc (a different name: its own key), then gcc again: one hit.
        assertEquals(1, cache.hits());
        // Passthrough calls through a masquerade link run the real compiler, not us again.
        CacheFixture.Result version = CacheFixture.run(work, List.of(tmp.resolve("links/gcc").toString(), "--version"), env);
        assertEquals(0, version.exitCode());
        assertTrue(version.out().contains("gcc"), version.out());
    }

    @Test
    void cmakeLauncherStyle() throws Exception {
        // CMAKE_C_COMPILER_LAUNCHER=cache makes CMake run: cache /usr/bin/cc <flags> -o x.o -c x.c
        CacheFixture.Result r = cache.cache(work, "/usr/bin/cc", "-O2", "-o", "l.o", "-c", "a.c");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(0, cache.cache(work, "/usr/bin/cc", "-O2", "-o", "l.o", "-c", "a.c").exitCode());
        assertEquals(1, cache.hits());
    }

    @Test
    void statisticsZeroClearAndPersistAcrossRestarts() throws Exception {
        assertEquals(0, cache.cache(work, "gcc", "-c", "a.c").exitCode());
        assertEquals(0, cache.cache(work, "gcc", "-c", "a.c").exitCode());
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(2, cache.stat("files_in_cache"), "the entry and its manifest, as ccache 4.7 counts them");
        assertTrue(cache.stats().containsKey("cache_size_kibibyte"), "--print-stats lists the cache size");
        assertTrue(cache.stat("stats_updated_timestamp") > 0);

        cache.stopDaemon();
        assertEquals(1, cache.hits(), "counters survive a daemon restart");

        CacheFixture.Result s = cache.cache(work, "-s");
        assertEquals(0, s.exitCode());
        assertTrue(s.out().startsWith("Cacheable calls:      2 /    2 (100.0%)\n  Hits:               1 /    2 (50.00%)\n"), s.out());

        assertEquals(0, cache.cache(work, "-z").exitCode());
        assertEquals(0, cache.stat("cache_miss"));
        assertTrue(cache.stat("stats_zeroed_timestamp") > 0);

        assertEquals(0, cache.cache(work, "-C").exitCode());
        assertEquals(0, cache.stat("files_in_cache"));
        assertEquals(0, cache.cache(work, "gcc", "-c", "a.c").exitCode());
        assertEquals(1, cache.stat("cache_miss"), "cleared: a miss again");
    }

    @Test
    void badAdminOptionIsAClearError() throws Exception {
        CacheFixture.Result r = cache.cache(work, "--no-such-option");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("no-such-option"), r.err());
    }
}
