package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A build never fails because of us: killed daemon, corrupt store, no daemon at all. */
@Timeout(600)
class RobustnessIT {

    private static final int SOURCES = 48;

    @TempDir
    Path tmp;

    private CacheFixture cache;
    private Path project;

    @BeforeEach
    void setUp() throws Exception {
        cache = new CacheFixture(tmp);
        project = Files.createDirectories(tmp.resolve("proj"));
        StringBuilder objs = new StringBuilder();
        for (int i = 0; i < SOURCES; i++) {
            // Big enough that the -O2 compiles take a moment, so the kill lands mid-build.
            StringBuilder src = new StringBuilder("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n");
            for (int f = 0; f < 30; f++) {
                src.append("int f").append(i).append('_').append(f).append("(int n) { int s = ").append(f)
                        .append("; for (int k = 0; k < n; k++) s = s * 31 + (int) strlen(\"x\") + k % ").append(f + 2)
                        .append("; return s; }\n");
            }
            Files.writeString(project.resolve("s" + i + ".c"), src.toString());
            objs.append(" s").append(i).append(".o");
        }
        Files.writeString(project.resolve("Makefile"), "CFLAGS = -O2 -g\nall:" + objs + "\n%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n"
                + "clean:\n\trm -f *.o\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        cache.close();
    }

    private Map<String, byte[]> objects() throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(project)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".o")).toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private CacheFixture.Result make(Map<String, String> env) throws Exception {
        return CacheFixture.run(project, List.of("make", "-j2", "CC=gcc"), env);
    }

    private void assertSameObjects(Map<String, byte[]> expected) throws Exception {
        Map<String, byte[]> got = objects();
        assertEquals(expected.keySet(), got.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), got.get(k), k);
        }
    }

    @Test
    void stopDaemonReturnsOnceTheDaemonIsGoneSoAStopThenStartRestartsIt() throws Exception {
        for (int round = 0; round < 3; round++) {
            assertEquals(0, cache.cache(tmp, "--start-daemon").exitCode());
            long old = cache.daemonPid();
            assertTrue(ProcessHandle.of(old).map(ProcessHandle::isAlive).orElse(false), "a daemon runs");
            CacheFixture.Result stop = cache.cache(tmp, "--stop-daemon");
            assertEquals(0, stop.exitCode(), stop.err());
            assertTrue(exited(old), "--stop-daemon returned while the daemon (pid " + old + ") still ran");
            // Right away, as a script restarting it would: a new daemon, which stays.
            assertEquals(0, cache.cache(tmp, "--start-daemon").exitCode());
            long fresh = cache.daemonPid();
            assertTrue(fresh != old, "a new daemon, not the old one answering while it exits");
            Thread.sleep(300);
            assertTrue(ProcessHandle.of(fresh).map(ProcessHandle::isAlive).orElse(false), "the new daemon keeps running");
            assertEquals(0, cache.cache(tmp, "--print-stats").exitCode());
            assertEquals(fresh, cache.daemonPid(), "--print-stats was answered by it");
        }
    }

    @Test
    void killingTheDaemonMidBuildStillBuildsCorrectObjects() throws Exception {
        assertEquals(0, make(cache.env).exitCode());
        Map<String, byte[]> plain = objects();
        assertEquals(SOURCES, plain.size());
        assertEquals(0, CacheFixture.run(project, List.of("make", "clean"), cache.env).exitCode());

        Map<String, String> env = new java.util.HashMap<>(cache.env);
        env.put("PATH", cache.masqueradePath(tmp.resolve("links")));
        assertEquals(0, cache.cache(tmp, "--start-daemon").exitCode());
        long pid = cache.daemonPid();
        Thread killer = new Thread(() -> {
            try {
                // Kill once a few objects exist: the build is then certainly under way.
                for (int i = 0; i < 2000 && countObjects() < 6; i++) {
                    Thread.sleep(5);
                }
                ProcessHandle.of(pid).ifPresent(h -> CacheFixture.runQuietly(List.of("kill", "-9", Long.toString(pid))));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        killer.start();
        CacheFixture.Result build = make(env);
        killer.join();
        assertEquals(0, build.exitCode(), build.err());
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the daemon was killed");
        assertSameObjects(plain);

        // The next build starts a new daemon and still produces the same objects.
        assertEquals(0, CacheFixture.run(project, List.of("make", "clean"), cache.env).exitCode());
        assertEquals(0, make(env).exitCode());
        assertSameObjects(plain);
    }

    /** Gone, or a zombie not yet collected by its parent (init, in some containers, collects late). */
    private static boolean exited(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        String s;
        try {
            s = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        }
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state == 'Z' || state == 'X';
    }

    private long countObjects() throws Exception {
        try (Stream<Path> s = Files.list(project)) {
            return s.filter(p -> p.toString().endsWith(".o")).count();
        }
    }

    @Test
    void flippedBytesInStoredEntriesAreMissesNotWrongObjects() throws Exception {
        Path src = project.resolve("s0.c");
        assertEquals(0, cache.run(project, List.of("gcc", "-O2", "-c", src.toString(), "-o", "plain.o")).exitCode());
        byte[] plain = Files.readAllBytes(project.resolve("plain.o"));
        assertEquals(0, cache.cache(project, "gcc", "-O2", "-c", src.toString(), "-o", "c.o").exitCode());
        cache.stopDaemon();

        try (LocalStore store = LocalStore.open(cache.cacheDir.resolve("db"), EntryCodec.defaults())) {
            List<Digest> keys = new ArrayList<>();
            store.entries().forEachKey(keys::add);
            assertEquals(1, keys.size());
            byte[] stored = store.entries().getEncoded(keys.get(0));
            for (int i = 0; i < stored.length; i += 97) {
                stored[i] ^= (byte) 0xa5;
            }
            store.entries().putEncoded(keys.get(0), stored);
        }
        Files.delete(project.resolve("c.o"));
        CacheFixture.Result r = cache.cache(project, "gcc", "-O2", "-c", src.toString(), "-o", "c.o");
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(plain, Files.readAllBytes(project.resolve("c.o")));
        assertEquals(1, cache.stat("corrupt_entry"));
        assertEquals(0, cache.hits());
        // The bad entry was replaced: the next call is a hit with the right bytes.
        Files.delete(project.resolve("c.o"));
        assertEquals(0, cache.cache(project, "gcc", "-O2", "-c", src.toString(), "-o", "c.o").exitCode());
        assertArrayEquals(plain, Files.readAllBytes(project.resolve("c.o")));
        assertEquals(1, cache.hits());
    }

    @Test
    void noJavaMeansPlainCompiles() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(cache.env);
        env.put("CACHE_JAVA", "/bin/false");
        CacheFixture.Result r = CacheFixture.run(project,
                List.of(CacheFixture.CLIENT.toString(), "gcc", "-O2", "-c", "s1.c", "-o", "s1.o"), env);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.size(project.resolve("s1.o")) > 0);
    }
}
