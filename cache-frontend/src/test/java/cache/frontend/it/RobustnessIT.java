package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

    /**
     * A {@code kill -9} of the daemon while make runs: what the test proves, and how.
     * <ul>
     *   <li>compiles went through the daemon before the kill: its counters (asked just before the
     *       kill) and its {@code log_file} lines ({@code => miss}) at the kill are not zero;
     *   <li>the kill landed mid-build: once the old daemon is seen gone, make still runs and
     *       objects are still missing; all of them exist at the end;
     *   <li>a new daemon served the rest: the pid file names another, living process, and
     *       {@code log_file} lines were written after the old daemon was gone (only a daemon
     *       writes them), with counters from it;
     *   <li>every object equals the plain build's, and so does a second build through the new daemon.
     * </ul>
     * The kill happens on this thread (no helper thread whose failure could go unseen); the wait
     * for the first objects is a file-system watch, bounded.
     */
    @Test
    void killingTheDaemonMidBuildStillBuildsCorrectObjects() throws Exception {
        assertEquals(0, make(cache.env).exitCode());
        Map<String, byte[]> plain = objects();
        assertEquals(SOURCES, plain.size());
        assertEquals(0, CacheFixture.run(project, List.of("make", "clean"), cache.env).exitCode());

        Path callLog = tmp.resolve("calls.log");
        Map<String, String> env = new java.util.HashMap<>(cache.env);
        env.put("PATH", cache.masqueradePath(tmp.resolve("links")));
        env.put("CCACHE_LOGFILE", callLog.toString());
        assertEquals(0, cache.cache(tmp, "--start-daemon").exitCode());
        long oldPid = cache.daemonPid();

        Path makeOut = tmp.resolve("make.out");
        ProcessBuilder pb = new ProcessBuilder("make", "-j2", "CC=gcc").directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(makeOut.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process make;
        long missesBeforeKill;
        long objectsAtKill;
        List<String> linesAtKill;
        try (WatchService watch = project.getFileSystem().newWatchService()) {
            project.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            make = pb.start();
            try {
                // Once a few objects exist the build is certainly under way.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (countObjects() < 6 && make.isAlive() && System.nanoTime() < deadline) {
                    WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                }
                assertTrue(countObjects() >= 6, "the build made 6 objects before the kill");
                missesBeforeKill = cache.stat("cache_miss");
                assertEquals(oldPid, cache.daemonPid(), "the counters came from the daemon the test kills");
                CacheFixture.runQuietly(List.of("kill", "-9", Long.toString(oldPid)));
                long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!exited(oldPid) && System.nanoTime() < gone) {
                    Thread.sleep(5); // polls a state no event reports (a zombie of init's)
                }
                assertTrue(exited(oldPid), "the killed daemon exited");
                // The old daemon is gone: it writes nothing more; make decides what happens next.
                objectsAtKill = countObjects();
                linesAtKill = Files.exists(callLog) ? Files.readAllLines(callLog) : List.of();
                assertTrue(make.isAlive(), "make was still running when the daemon was killed");
                assertTrue(make.waitFor(300, TimeUnit.SECONDS), "make finished");
            } finally {
                make.descendants().forEach(ProcessHandle::destroyForcibly);
                make.destroyForcibly();
            }
        }
        assertEquals(0, make.exitValue(), Files.readString(makeOut));
        assertTrue(missesBeforeKill > 0, "compiles went through the daemon before the kill (cache_miss "
                + missesBeforeKill + ")");
        assertTrue(linesAtKill.stream().anyMatch(l -> l.endsWith(" => miss")),
                "the old daemon logged compiles before the kill: " + linesAtKill);
        assertTrue(objectsAtKill < SOURCES, "objects were still missing at the kill: " + objectsAtKill);

        long newPid = cache.daemonPid();
        assertTrue(newPid != oldPid, "a new daemon (pid file still names the killed " + oldPid + ")");
        assertTrue(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false), "the new daemon runs");
        List<String> lines = Files.readAllLines(callLog);
        long missesAfter = lines.subList(linesAtKill.size(), lines.size()).stream()
                .filter(l -> l.endsWith(" => miss")).count();
        assertTrue(missesAfter > 0, "the new daemon compiled part of the build (log_file after the kill: "
                + lines.subList(linesAtKill.size(), lines.size()) + ")");
        long missesAtEnd = cache.stat("cache_miss");
        assertEquals(newPid, cache.daemonPid(), "the counters came from the new daemon");
        assertTrue(missesAtEnd >= missesAfter, "the new daemon counted the " + missesAfter + " compiles it logged: "
                + missesAtEnd);
        assertSameObjects(plain);
        System.out.printf("kill -9 of daemon %d with %d of %d objects made and %d compiles counted; daemon %d then"
                + " logged %d compiles%n", oldPid, objectsAtKill, SOURCES, missesBeforeKill, newPid, missesAfter);

        // The next build goes through the new daemon too and still produces the same objects.
        assertEquals(0, CacheFixture.run(project, List.of("make", "clean"), cache.env).exitCode());
        assertEquals(0, make(env).exitCode());
        assertSameObjects(plain);
        assertEquals(newPid, cache.daemonPid(), "the same new daemon served the second build");
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

    /**
     * A compiler that is a shell script without a {@code #!} line runs, as make's shell runs it:
     * the kernel refuses it (ENOEXEC) and glibc's execvp hands it to /bin/sh. The client, linked
     * against musl where musl-gcc is there, must do that itself, both when the daemon compiles
     * through it ({@code --cache-supervise}) and when it runs the compiler directly.
     */
    @Test
    void aCompilerScriptWithoutAnInterpreterLineIsCachedAndRunLikeTheShellRunsIt() throws Exception {
        Path script = project.resolve("wrapped-cc");
        Files.writeString(script, "exec gcc \"$@\"\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(0, CacheFixture.run(project, List.of("gcc", "-O2", "-c", "s1.c", "-o", "plain.o"), cache.env).exitCode());
        byte[] plain = Files.readAllBytes(project.resolve("plain.o"));
        List<String> call = List.of(CacheFixture.CLIENT.toString(), script.toString(), "-O2", "-c", "s1.c", "-o", "s1.o");

        CacheFixture.Result miss = CacheFixture.run(project, call, cache.env);
        assertEquals(0, miss.exitCode(), miss.err());
        assertEquals(1, cache.stat("cache_miss"), "compiled by the daemon, through the supervisor");
        assertArrayEquals(plain, Files.readAllBytes(project.resolve("s1.o")));
        Files.delete(project.resolve("s1.o"));
        CacheFixture.Result hit = CacheFixture.run(project, call, cache.env);
        assertEquals(0, hit.exitCode(), hit.err());
        assertEquals(1, cache.hits());
        assertArrayEquals(plain, Files.readAllBytes(project.resolve("s1.o")));

        Files.delete(project.resolve("s1.o"));
        Map<String, String> disabled = new java.util.HashMap<>(cache.env);
        disabled.put("CCACHE_DISABLE", "1"); // the client runs the compiler itself
        CacheFixture.Result direct = CacheFixture.run(project, call, disabled);
        assertEquals(0, direct.exitCode(), direct.err());
        assertArrayEquals(plain, Files.readAllBytes(project.resolve("s1.o")));
    }
}
