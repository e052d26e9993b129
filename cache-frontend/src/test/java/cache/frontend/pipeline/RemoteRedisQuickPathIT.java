package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A direct-mode remote hit from a real redis-server (Debian's, on a Unix socket in the test's
 * directory) on the quick path, as the daemon's event loop runs it: once the connection is
 * open, {@link CompilePipeline#handleQuick} starts the manifest's GET and comes back {@link
 * Outcome.Pending}, no thread waiting; its continuation, run on the calling thread, starts the
 * entry's GET the same way, then replays and back-fills. A poisoned value still ends as a
 * counted miss compiled on a worker, never a failed build. The scripted compiler stands in for
 * gcc (no processes), as in {@link RemoteLookupOffEventLoopTest}.
 */
@Timeout(60)
class RemoteRedisQuickPathIT {

    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    @TempDir
    Path cwd;

    private Path gcc;
    private Process redis;
    private Path socket;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    /** One daemon's pipeline over its own empty stores. */
    final class Daemon {
        final InMemoryEntryStore local = new InMemoryEntryStore(EntryCodec.defaults());
        final InMemoryBlobStore manifests = new InMemoryBlobStore();
        final InMemoryCounterStore counters = new InMemoryCounterStore();
        final RemoteLookupOffEventLoopTest.ProbedCompiler compiler = new RemoteLookupOffEventLoopTest.ProbedCompiler();
        final CompilePipeline.Shared shared = new CompilePipeline.Shared(compiler, null);
        // an hour ahead of the files: every one is old enough for direct mode to remember
        final CompilePipeline pipeline = new CompilePipeline(local, manifests, counters, shared,
                Clock.fixed(Instant.now().plusSeconds(3600), ZoneOffset.UTC), 022, List.of(), List.of());

        CompileRequest request(String source) throws Exception {
            Map<String, String> env = new HashMap<>(Map.of("HOME", cwd.toString(),
                    "CCACHE_REMOTE_STORAGE", "redis+unix:" + socket + "|operation-timeout=5000"));
            Config config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
            String object = source.replace(".c", ".o");
            Files.deleteIfExists(cwd.resolve(object));
            return new CompileRequest("gcc", gcc, List.of("-c", source, "-o", object), cwd, env, 022, false, config);
        }

        /** Counters as they were before the calls under test. */
        Map<String, Long> base = Map.of();

        long count(Counter c) {
            return counters.snapshot().getOrDefault(c.id(), 0L) - base.getOrDefault(c.id(), 0L);
        }

        /** Runs {@code o} as the daemon does: a pending read waited for, its continuation on this thread. */
        Outcome onThisThread(Outcome o) throws Exception {
            while (o instanceof Outcome.Pending p) {
                p.read().get(30, TimeUnit.SECONDS);
                o = p.next().run();
            }
            return o;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        boolean present = Files.isExecutable(REDIS_SERVER);
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("redis-server is missing on CI: " + REDIS_SERVER);
        }
        Assumptions.assumeTrue(present, "redis-server is not installed (and CI is not set): skipped");
        gcc = Files.writeString(cwd.resolve("gcc"), "fake compiler binary");
        Files.writeString(cwd.resolve("x.c"), "int x;\n");
        Files.writeString(cwd.resolve("y.c"), "int y;\n");
        Path dir = Files.createDirectories(cwd.resolve("redis"));
        socket = dir.resolve("redis.sock");
        redis = new ProcessBuilder(REDIS_SERVER.toString(), "--port", "0", "--unixsocket", socket.toString(),
                "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        for (int i = 0; i < 200 && !Files.exists(socket) && redis.isAlive(); i++) {
            Thread.sleep(25);
        }
        assertTrue(Files.exists(socket), () -> "redis-server did not start: " + read(dir.resolve("redis.log")));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        worker.shutdownNow();
        if (redis != null) {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A first daemon compiles x.c: its entry and its manifest go to Redis (written when its shared part closes). */
    private void fillRedis() throws Exception {
        Daemon first = new Daemon();
        assertInstanceOf(Outcome.Replay.class, first.pipeline.handle(first.request("x.c")));
        first.shared.close();
        assertEquals(2, first.count(Counter.REMOTE_STORAGE_WRITE), "the entry and its manifest");
    }

    /**
     * A second daemon with empty stores, its Redis connection opened by a blocking call of y.c
     * (the scripted compiler preprocesses every source alike, so y.c is a preprocessor-mode
     * remote hit of x.c's entry; only the connection matters here). Counted from here on.
     */
    private Daemon connectedDaemon() throws Exception {
        Daemon d = new Daemon();
        Outcome first = d.pipeline.handleQuick(d.request("y.c"));
        assertInstanceOf(Outcome.Deferred.class, first, "not connected yet: the connect may block, so a worker does it");
        assertInstanceOf(Outcome.Replay.class, worker.submit(() -> ((Outcome.Deferred) first).rest().run()).get());
        d.local.clear();
        d.manifests.clear();
        d.base = d.counters.snapshot();
        return d;
    }

    @Test
    void aRemoteHitFromRedisIsServedOnTheCallingThreadWithoutAWorker() throws Exception {
        fillRedis();
        Daemon d = connectedDaemon();
        int compiled = d.compiler.compiler.compiles.size();
        Outcome quick = d.pipeline.handleQuick(d.request("x.c"));
        assertInstanceOf(Outcome.Pending.class, quick, "the manifest's GET started, nothing waits for it");
        Outcome done = d.onThisThread(quick);
        assertInstanceOf(Outcome.Replay.class, done);
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        assertEquals(compiled, d.compiler.compiler.compiles.size(), "x.c not compiled: a remote hit");
        assertEquals(1, d.count(Counter.DIRECT_CACHE_HIT));
        assertEquals(1, d.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(2, d.count(Counter.REMOTE_STORAGE_READ_HIT), "the manifest and the entry");
        assertEquals(1, d.count(Counter.LOCAL_STORAGE_MISS), "as ccache counts the local miss before a remote hit");

        Outcome again = d.pipeline.handleQuick(d.request("x.c"));
        assertInstanceOf(Outcome.Replay.class, again, "back-filled: now a local hit, answered at once");
        assertEquals(1, d.count(Counter.LOCAL_STORAGE_HIT));
        assertEquals(2, d.count(Counter.REMOTE_STORAGE_READ_HIT), "Redis not asked again");
        d.shared.close();
    }

    @Test
    void aPoisonedValueInRedisIsACountedMissFinishedOnAWorker() throws Exception {
        fillRedis();
        Daemon d = connectedDaemon();
        poisonEveryValue();
        Outcome quick = d.pipeline.handleQuick(d.request("x.c"));
        Outcome rest = d.onThisThread(assertInstanceOf(Outcome.Pending.class, quick));
        Outcome.Deferred miss = assertInstanceOf(Outcome.Deferred.class, rest, "a miss needs a process: a worker");
        Thread caller = Thread.currentThread();
        Thread[] ran = new Thread[1];
        Outcome done = worker.submit(() -> {
            ran[0] = Thread.currentThread();
            return miss.rest().run();
        }).get();
        assertNotEquals(caller, ran[0]);
        assertInstanceOf(Outcome.Replay.class, done, "the build goes on");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        assertEquals(0, d.count(Counter.REMOTE_STORAGE_HIT), "nothing poisoned was used");
        assertEquals(1, d.count(Counter.DIRECT_CACHE_MISS));
        assertTrue(d.count(Counter.REMOTE_STORAGE_READ_MISS) >= 1, "the poisoned manifest is a read miss");
        d.shared.close();
    }

    /** Every value in Redis with a byte appended: no longer an intact frame. */
    private void poisonEveryValue() throws Exception {
        Process scan = new ProcessBuilder("redis-cli", "-s", socket.toString(), "--scan").start();
        List<String> keys = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(k -> !k.isBlank()).toList();
        assertEquals(0, scan.waitFor());
        assertTrue(keys.size() >= 2, "x.c's entry and manifest at least: " + keys);
        for (String k : keys) {
            Process p = new ProcessBuilder("redis-cli", "-s", socket.toString(), "APPEND", k, "x").start();
            p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor());
        }
    }
}
