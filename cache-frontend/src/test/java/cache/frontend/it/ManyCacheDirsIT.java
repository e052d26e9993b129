package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One daemon per user serves every cache directory its calls name (issue 17): each directory
 * its own store, counters and limits; an idle store is closed and opened again; a directory
 * removed under the daemon is created again instead of being served from the deleted database.
 * Real client, real daemon, real gcc, real RocksDB.
 */
@Timeout(300)
class ManyCacheDirsIT {

    @TempDir
    Path tmp;
    private CacheFixture cache;
    private Path src;

    @BeforeEach
    void setUp() throws Exception {
        cache = new CacheFixture(tmp);
        src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < 4; i++) {
            Files.writeString(src.resolve("f" + i + ".c"),
                    "#include <stdio.h>\nint f" + i + "(void) { return printf(\"%d\\n\", " + i + "); }\n");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        cache.close();
    }

    /** The environment of a call that uses {@code dir} as its cache directory. */
    private Map<String, String> in(Path dir) {
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_DIR", dir.toString());
        return env;
    }

    private CacheFixture.Result compile(Path dir, String source, String object) throws Exception {
        return CacheFixture.run(src, List.of(CacheFixture.CLIENT.toString(), "gcc", "-O2", "-c", source, "-o", object),
                in(dir));
    }

    private Map<String, Long> stats(Path dir) throws Exception {
        CacheFixture.Result r = CacheFixture.run(tmp, List.of(CacheFixture.CLIENT.toString(), "--print-stats"), in(dir));
        assertEquals(0, r.exitCode(), r.err());
        return CacheFixture.parseStats(r.out());
    }

    private byte[] plainObject(String source) throws Exception {
        Path out = tmp.resolve("plain-" + source + ".o");
        CacheFixture.Result r = CacheFixture.run(src, List.of("gcc", "-O2", "-c", source, "-o", out.toString()), cache.env);
        assertEquals(0, r.exitCode(), r.err());
        return Files.readAllBytes(out);
    }

    /** The daemons of this test's runtime directory, by their pid files and sockets. */
    private List<String> daemonFiles() throws IOException {
        try (Stream<Path> s = Files.list(cache.runtimeDir.resolve("cache"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid") || n.endsWith(".sock"))
                    .sorted().toList();
        }
    }

    @Test
    void thirtyDirectoriesOneAfterAnotherAndFourAtOnceAreServedByOneDaemonEachWithItsOwnCounters() throws Exception {
        byte[] expected = plainObject("f0.c");
        Long pid = null;
        for (int i = 0; i < 30; i++) {
            Path dir = tmp.resolve("dirs/d" + i);
            for (int call = 0; call < 2; call++) {
                Path obj = tmp.resolve("o" + i + "-" + call + ".o");
                CacheFixture.Result r = compile(dir, "f0.c", obj.toString());
                assertEquals(0, r.exitCode(), r.err());
                assertArrayEquals(expected, Files.readAllBytes(obj), "directory " + i + " call " + call);
            }
            long now = cache.daemonPid();
            if (pid == null) {
                pid = now;
            }
            assertEquals(pid, now, "directory " + i + " is served by the same daemon");
        }
        for (int i = 0; i < 30; i++) {
            Map<String, Long> s = stats(tmp.resolve("dirs/d" + i));
            assertEquals(1L, s.get("cache_miss"), "directory " + i + ": its own miss, nobody else's: " + s);
            assertEquals(1L, s.get("direct_cache_hit"), "directory " + i + ": its own hit: " + s);
        }

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CacheFixture.Result>> calls = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 4; i++) {
                    Path dir = tmp.resolve("together/t" + i);
                    String source = "f" + i + ".c";
                    String obj = tmp.resolve("t" + i + "-" + round + ".o").toString();
                    calls.add(pool.submit(() -> compile(dir, source, obj)));
                }
                for (Future<CacheFixture.Result> f : calls) {
                    assertEquals(0, f.get().exitCode(), f.get().err());
                }
                calls.clear();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 4; i++) {
            byte[] plain = plainObject("f" + i + ".c");
            for (int round = 0; round < 3; round++) {
                assertArrayEquals(plain, Files.readAllBytes(tmp.resolve("t" + i + "-" + round + ".o")));
            }
            Map<String, Long> s = stats(tmp.resolve("together/t" + i));
            assertEquals(1L, s.get("cache_miss"), "t" + i + ": " + s);
            assertEquals(2L, s.get("direct_cache_hit"), "t" + i + ": " + s);
        }
        assertEquals(pid, cache.daemonPid(), "still the one daemon");
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(List.of("d.pid", "d.sock"), daemonFiles(), "one daemon's socket and pid file, no other");
    }

    @Test
    void eachDirectoryKeepsItsOwnLimits() throws Exception {
        Path small = tmp.resolve("small");
        Path large = tmp.resolve("large");
        CacheFixture.Result set = CacheFixture.run(tmp, List.of(CacheFixture.CLIENT.toString(), "-F", "2"), in(small));
        assertEquals(0, set.exitCode(), set.err());
        for (int i = 0; i < 4; i++) {
            for (Path dir : List.of(small, large)) {
                CacheFixture.Result r = compile(dir, "f" + i + ".c", tmp.resolve("x.o").toString());
                assertEquals(0, r.exitCode(), r.err());
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        Map<String, Long> s = stats(small);
        while (s.getOrDefault("files_in_cache", 0L) > 2 && System.nanoTime() < deadline) {
            Thread.sleep(200); // the cleanup runs in the background
            s = stats(small);
        }
        assertTrue(s.get("files_in_cache") <= 2, "max_files 2 holds in its directory: " + s);
        assertTrue(s.get("cleanups_performed") >= 1, "by a cleanup counted there: " + s);
        Map<String, Long> l = stats(large);
        assertTrue(l.get("files_in_cache") >= 8, "four results and four manifests stay in the other: " + l);
        assertEquals(0L, l.get("cleanups_performed"), "which was never cleaned: " + l);
    }

    @Test
    void anIdleStoreIsClosedAndOpenedAgainWithItsResults() throws Exception {
        cache.env.put("CACHE_STORE_IDLE_TIMEOUT", "1");
        Path dir = tmp.resolve("idle");
        assertEquals(0, compile(dir, "f1.c", tmp.resolve("a.o").toString()).exitCode());
        long pid = cache.daemonPid();
        assertTrue(holdsFilesIn(pid, dir.resolve("db")), "the open store holds its files");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (holdsFilesIn(pid, dir.resolve("db")) && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        assertFalse(holdsFilesIn(pid, dir.resolve("db")), "after the idle period nothing of the store is open");
        assertTrue(Files.readString(cache.runtimeDir.resolve("cache/d.log")).contains("closing the store of " + dir
                + ": idle"), "and the log says why");
        assertEquals(0, compile(dir, "f1.c", tmp.resolve("b.o").toString()).exitCode());
        assertEquals(pid, cache.daemonPid(), "the same daemon");
        Map<String, Long> s = stats(dir);
        assertEquals(1L, s.get("direct_cache_hit"), "the reopened store still has the result: " + s);
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a.o")), Files.readAllBytes(tmp.resolve("b.o")));
    }

    @Test
    void aRemovedCacheDirectoryIsCreatedAgainAndTheOldStoreIsLetGo() throws Exception {
        Path dir = tmp.resolve("removed");
        assertEquals(0, compile(dir, "f2.c", tmp.resolve("a.o").toString()).exitCode());
        assertEquals(0, compile(dir, "f2.c", tmp.resolve("a.o").toString()).exitCode());
        assertEquals(1L, stats(dir).get("direct_cache_hit"));
        long pid = cache.daemonPid();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertFalse(Files.exists(dir));

        CacheFixture.Result r = compile(dir, "f2.c", tmp.resolve("b.o").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(plainObject("f2.c"), Files.readAllBytes(tmp.resolve("b.o")));
        assertTrue(Files.isDirectory(dir.resolve("db")), "the directory exists again");
        Map<String, Long> s = stats(dir);
        assertEquals(1L, s.get("cache_miss"), "a miss, not a hit from the deleted database: " + s);
        assertEquals(0L, s.getOrDefault("direct_cache_hit", 0L), s.toString());
        assertEquals(pid, cache.daemonPid(), "the same daemon");
        long deadline = System.nanoTime() + 20_000_000_000L; // the old store closes in the background
        while (deletedFilesHeld(pid, dir) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, deletedFilesHeld(pid, dir), "no deleted file of the old store is held open");
    }

    /**
     * ccache's suite removes the directory between admin commands ({@code -C}, {@code -c},
     * {@code -z}) in quick succession. RocksDB names its files by path, so a store still closing
     * once wrote into (and corrupted) the new store opened at the same path: the next calls then
     * compiled without the cache. Each new store now waits for its predecessor's close.
     */
    @Test
    void aDirectoryRemovedBetweenAdminCommandsIsAlwaysOpenedAfresh() throws Exception {
        Path dir = tmp.resolve("again");
        Map<String, String> env = in(dir);
        env.put("CCACHE_UMASK", "002"); // a shared directory: the store is also served on a socket
        for (int round = 0; round < 4; round++) {
            for (String admin : List.of("-C", "-c", "-z")) {
                CacheFixture.Result r = CacheFixture.run(tmp, List.of(CacheFixture.CLIENT.toString(), admin), env);
                assertEquals(0, r.exitCode(), admin + " in round " + round + ": " + r.err());
                deleteTree(dir);
            }
        }
        CacheFixture.Result r = CacheFixture.run(src, List.of(CacheFixture.CLIENT.toString(), "gcc", "-O2", "-c",
                "f1.c", "-o", tmp.resolve("e.o").toString()), env);
        assertEquals(0, r.exitCode(), r.err());
        Map<String, Long> s = stats(dir);
        assertEquals(1L, s.get("cache_miss"), "the compile used a store, not a plain compile: " + s);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aDisabledCallAndTheStatisticsOfAMissingDirectoryCreateNothing() throws Exception {
        Path dir = tmp.resolve("never");
        Map<String, String> env = in(dir);
        env.put("CCACHE_DISABLE", "1");
        CacheFixture.Result r = CacheFixture.run(src, List.of(CacheFixture.CLIENT.toString(), "gcc", "-c", "f3.c",
                "-o", tmp.resolve("d.o").toString()), env);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.size(tmp.resolve("d.o")) > 0, "compiled");
        assertEquals(0L, stats(dir).getOrDefault("cache_miss", 0L));
        assertFalse(Files.exists(dir), "neither the disabled call nor -s created the directory");
    }

    @Test
    void aKilledDaemonLeavesNothingInTmp() throws Exception {
        cache.env.put("CACHE_WARMUP", "1"); // its warm-up directory too
        Path tmpDir = Path.of("/tmp");
        java.util.Set<String> before = tmpEntries(tmpDir);
        assertEquals(0, compile(tmp.resolve("k"), "f0.c", tmp.resolve("k.o").toString()).exitCode());
        long pid = cache.daemonPid();
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
        CacheFixture.assertNativeLibrariesFromDist(pid); // the miss above stored a compressed entry (zstd)
        long until = System.nanoTime() + 10_000_000_000L;
        while (warmupDirsOf(pid) == 0 && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertEquals(1, warmupDirsOf(pid), "its warm-up works in the runtime directory");
        daemon.destroyForcibly();
        daemon.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        java.util.Set<String> left = tmpEntries(tmpDir);
        left.removeAll(before);
        left.removeIf(n -> !n.startsWith("librocksdbjni") && !n.startsWith("libnetty_transport_native_epoll")
                && !n.startsWith("libzstd-jni") && !n.startsWith("cache-warmup-"));
        assertEquals(java.util.Set.of(), left, "nothing of the killed daemon in /tmp");
        // The next daemon removes the warm-up directory the killed one left in the runtime directory.
        assertEquals(0, compile(tmp.resolve("k"), "f0.c", tmp.resolve("k.o").toString()).exitCode());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (warmupDirsOf(pid) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, warmupDirsOf(pid), "the killed daemon's warm-up directory is gone");
    }

    private static java.util.Set<String> tmpEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(
                    java.util.HashSet::new));
        }
    }

    private long warmupDirsOf(long pid) throws IOException {
        try (Stream<Path> s = Files.list(cache.runtimeDir.resolve("cache"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("warmup-" + pid + "-")).count();
        }
    }

    private static boolean holdsFilesIn(long pid, Path dir) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).startsWith(dir);
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            });
        }
    }

    private static long deletedFilesHeld(long pid, Path dir) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    return target.startsWith(dir.toString()) && target.endsWith(" (deleted)");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }
}
