package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.frontend.it.RemoteServers;
import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up really runs the request path — a real daemon in this JVM, its Unix
 * socket, real gcc, the real client as supervisor — and leaves nothing behind: no entry or
 * counter in the user's cache, no temporary directory, no pipeline that answers later.
 */
@Timeout(120)
class WarmupIT {

    private static final Path CLIENT = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath()
            .normalize().resolve("bin/cache");

    @TempDir
    Path tmp;
    private Path runDir;
    private Daemon daemon;

    @BeforeEach
    void startDaemon() throws Exception {
        runDir = Files.createTempDirectory(Path.of("/tmp"), "wu"); // a Unix socket path must be short
        daemon = new Daemon(new DaemonConfig(runDir.resolve("d.sock"), CLIENT, Duration.ofMinutes(5),
                Duration.ofMinutes(5), "warmup-it"));
        daemon.start(false);
    }

    @AfterEach
    void stopDaemon() throws Exception {
        daemon.close();
        try (Stream<Path> s = Files.walk(runDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void oneCompileThenDirectHitsOverTheSocketAndNothingReachesTheUsersCache() throws Exception {
        Path javaTmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmupDirs(javaTmp, "cache-warmup-");
        Warmup w = new Warmup(daemon, CLIENT, 022, 50, 60_000_000_000L, 0);
        w.run();
        assertEquals(46, w.hits(), "every call after the first compile of each of the four calls is a hit");
        assertEquals(0, warmupDirs(runDir, "warmup-"), "its directory in the runtime directory is gone");
        assertEquals(before, warmupDirs(javaTmp, "cache-warmup-"), "and it made none in /tmp");
        assertNull(daemon.warmupPipeline(), "its pipeline is gone");
        AdminCommand.Result stats = AdminCommand.run(daemon.adminContext(), "cache", List.of("--print-stats"),
                Map.of("CCACHE_DIR", tmp.resolve("cache").toString()), tmp);
        for (String counter : List.of("direct_cache_hit", "cache_miss", "local_storage_write")) {
            assertTrue(stats.stdout().contains(counter + "\t0\n"), counter + " stays 0 in the user's cache:\n" + stats.stdout());
        }
    }

    @Test
    void aStarterThatDistributesGetsTheFarmsClientSideRunAgainstInProcessNodes() throws Exception {
        Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", tmp.toString(),
                "CCACHE_DIR", tmp.resolve("cache").toString(), "CCACHE_PREFIX", "distcc");
        Warmup w = new Warmup(daemon, CLIENT, 022, 4, 60_000_000_000L, 0).environment(env);
        w.run();
        cache.distributor.FarmWarmup.Report r = w.farmReport();
        assertTrue(r != null, "the farm's warm-up ran");
        assertEquals(cache.distributor.FarmWarmup.DEFAULT_JOBS, r.nodeHits() + r.compiled(), "every job answered: " + r);
        assertTrue(r.nodeHits() > 0 && r.compiled() > 0, r.toString());
        assertEquals(4, w.sent(), "then the calls over the socket, as without a farm");

        Map<String, String> plain = new java.util.HashMap<>(env);
        plain.remove("CCACHE_PREFIX");
        Warmup without = new Warmup(daemon, CLIENT, 022, 4, 60_000_000_000L, 0).environment(plain);
        without.run();
        assertNull(without.farmReport(), "no farm's warm-up for a starter that does not distribute");
    }

    /**
     * A starter that names remote storage (a real Redis): the warm-up reads from it once per
     * connection it makes ahead and writes nothing there (the team's shared cache gets no entry
     * of the warm-up's), and a third of its calls are remote hits through a {@code file:} storage
     * of its own, which goes with its directory.
     */
    @Test
    void aStarterWithRemoteStorageGetsItsServerConnectedAheadAndTheRemoteHitPathRunPrivately() throws Exception {
        RemoteServers.requireRedis();
        int port = RemoteServers.freePort();
        Process redis = RemoteServers.startRedis(tmp.resolve("redis"), port);
        try {
            Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "HOME", tmp.toString(),
                    "CCACHE_DIR", tmp.resolve("cache").toString(), "CCACHE_REMOTE_STORAGE", "redis://127.0.0.1:" + port);
            Warmup w = new Warmup(daemon, CLIENT, 022, 60, 60_000_000_000L, 0).environment(env);
            w.run();
            assertEquals(1, w.remoteServersWarmed(), "the server answered the warm-up's reads");
            String stats = RemoteServers.redisCli(port, 0, "INFO", "commandstats");
            java.util.regex.Matcher gets = java.util.regex.Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(stats);
            assertTrue(gets.find() && Long.parseLong(gets.group(1)) >= 1, "read from ahead of any call: " + stats);
            assertFalse(stats.contains("cmdstat_set"), "nothing written to the user's remote storage: " + stats);
            assertEquals(0, RemoteServers.redisKeys(port, 0));
            assertEquals(60, w.sent());
            assertTrue(w.remoteHits() >= 10, "a third of 60 calls through its own storage, all but the first few hits: "
                    + w.remoteHits());
            assertEquals(0, warmupDirs(runDir, "warmup-"), "its directory, its storage with it, is gone");
        } finally {
            RemoteServers.stop(redis);
        }
    }

    @Test
    void aStarterWithoutRemoteStorageWarmsNone() throws Exception {
        Warmup w = new Warmup(daemon, CLIENT, 022, 8, 60_000_000_000L, 0)
                .environment(Map.of("PATH", System.getenv("PATH"), "HOME", tmp.toString()));
        w.run();
        assertEquals(-1, w.remoteServersWarmed());
        assertEquals(0, w.remoteHits());
    }

    @Test
    void aZeroBudgetCompilesNothingAndLeavesNothing() throws Exception {
        Warmup w = new Warmup(daemon, CLIENT, 022, 50, 0, 0);
        w.run();
        assertEquals(0, w.hits());
        assertEquals(0, warmupDirs(runDir, "warmup-"));
    }

    @Test
    void afterTheEagerPhaseItWaitsWhileAUserRequestIsInFlightAndFinishesOnceTheUserIsQuiet() throws Exception {
        daemon.requestStarted(false); // a user's compile in flight (a miss, say) for the first second
        Warmup w = new Warmup(daemon, CLIENT, 022, 30, 0, 60_000_000_000L);
        Thread t = new Thread(w, "warmup-under-test");
        t.start();
        Thread.sleep(1_000);
        assertEquals(0, w.sent(), "no warm-up call while a user's request is in flight");
        daemon.requestFinished(false);
        t.join(60_000);
        assertEquals(30, w.sent(), "all calls once the user went quiet");
        assertEquals(26, w.hits(), "every call after the first compile of each of the four calls is a hit");
        assertNull(daemon.warmupPipeline(), "its pipeline is gone");
    }

    @Test
    void aUserWhoNeverPausesGetsNoWarmupCallAfterTheEagerPhaseAndItEndsAtItsLimit() throws Exception {
        daemon.requestStarted(false);
        try {
            Warmup w = new Warmup(daemon, CLIENT, 022, 30, 0, 700_000_000L);
            long start = System.nanoTime();
            w.run();
            long waited = System.nanoTime() - start;
            assertEquals(0, w.sent());
            assertTrue(waited >= 700_000_000L, "it waited for a pause until its limit, not less: " + waited + " ns");
            assertTrue(waited < 30_000_000_000L, "and gave up then: " + waited + " ns");
            assertNull(daemon.warmupPipeline(), "its pipeline is gone");
        } finally {
            daemon.requestFinished(false);
        }
    }

    @Test
    void theWarmupsOwnRequestsDoNotMakeTheDaemonLookBusy() throws Exception {
        Thread.sleep(20);
        long before = System.nanoTime(); // after the daemon's start, the last "user activity" it knows
        Warmup w = new Warmup(daemon, CLIENT, 022, 10, 60_000_000_000L, 0);
        w.run();
        assertEquals(10, w.sent());
        assertTrue(daemon.userBusy(System.nanoTime() - before + 60_000_000_000L), "(the window reaches the start)");
        assertTrue(!daemon.userBusy(System.nanoTime() - before), "ten warm-up calls since `before` are not a user's");
    }

    @Test
    void aWarmupRequestAfterTheWarmupIsToldToCompileItself() throws Exception {
        ClientRequest call = new ClientRequest("warmup-it", ClientRequest.WARMUP, "gcc", "/usr/bin/gcc",
                List.of("-c", "x.c"), tmp.toString(), Map.of(), 022, "000", 0, 0);
        ByteBuffer reply = ByteBuffer.allocate(4096);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(runDir.resolve("d.sock")));
            ch.write(ByteBuffer.wrap(call.encode()));
            while (ch.read(reply) >= 0) {
                // until the daemon closes
            }
        }
        reply.flip();
        assertEquals(ReplyEncoder.FALLBACK, reply.get(), "a fallback record");
        assertEquals(0, Files.list(tmp).filter(p -> p.getFileName().toString().endsWith(".o")).count());
    }

    @Test
    void directoriesLeftByAKilledDaemonsWarmupAreRemovedAndOnlyThose() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path stale = Files.createDirectories(runDir.resolve("warmup-" + dead.pid() + "-1234/src"));
        Files.writeString(stale.resolve("warm.c"), "int x;\n");
        Path running = Files.createDirectories(runDir.resolve("warmup-" + ProcessHandle.current().pid() + "-99"));
        Path other = Files.createDirectories(runDir.resolve("not-ours"));
        Warmup.removeStale(runDir);
        assertTrue(Files.notExists(stale.getParent()), "the warm-up directory of a gone process is removed");
        assertTrue(Files.isDirectory(running), "a running daemon's stays");
        assertTrue(Files.isDirectory(other), "anything else stays");
    }

    private static long warmupDirs(Path tmp, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }
}
