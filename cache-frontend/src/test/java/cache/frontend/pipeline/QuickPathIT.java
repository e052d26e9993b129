package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.process.SupervisedProcessRunner;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CompilePipeline#handleQuick}, which the daemon runs on its event loop, with the real gcc:
 * it answers what needs no process (a direct hit, an uncacheable call) and leaves everything
 * else to a worker as {@link Outcome.Deferred}; the statistics of a deferred call are written
 * once, when it finishes, and are those {@link CompilePipeline#handle} writes.
 */
@Timeout(120)
class QuickPathIT {

    private static final Path CLIENT = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath()
            .normalize().resolve("bin/cache");

    @TempDir
    Path cwd;

    private final InMemoryCounterStore counters = new InMemoryCounterStore();
    private final SupervisedProcessRunner runner = new SupervisedProcessRunner(CLIENT);
    private CompilePipeline pipeline;
    private Path gcc;

    @BeforeEach
    void setUp() throws Exception {
        gcc = CompilePipeline.realCompiler("gcc", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), cwd, CLIENT);
        pipeline = new CompilePipeline(new InMemoryEntryStore(EntryCodec.defaults()), new InMemoryBlobStore(), counters,
                runner, Clock.systemUTC(), 022, CLIENT);
        write("x.h", "#define X 1\n");
        write("x.c", "#include <stdio.h>\n#include \"x.h\"\nint x(void) { return X + (int) sizeof(FILE *); }\n");
    }

    /**
     * Written, then left alone for longer than {@link Call#TOO_NEW_NANOS}: direct mode
     * does not use a file changed this moment (its change time cannot be set back).
     */
    private void write(String name, String text) throws Exception {
        Files.writeString(cwd.resolve(name), text);
        Thread.sleep(Call.TOO_NEW_NANOS / 1_000_000 * 2);
    }

    private CompileRequest request(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("HOME", cwd.toString(), "PATH", System.getenv("PATH"),
                "CCACHE_DIR", cwd.resolve("cache").toString()));
        env.putAll(extraEnv);
        Config config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
        return new CompileRequest("gcc", gcc, List.of(args), cwd, env, 022, false, config);
    }

    private long count(String name) {
        return counters.snapshot().getOrDefault(name, 0L);
    }

    @Test
    void aMissIsDeferredAndCountedOnceWhenItFinishesThenADirectHitIsAnsweredAtOnce() throws Exception {
        CompileRequest compile = request(Map.of(), "-O2", "-c", "x.c", "-o", "x.o");

        Outcome first = pipeline.handleQuick(compile);
        Outcome.Deferred deferred = assertInstanceOf(Outcome.Deferred.class, first, "a miss needs the compiler");
        assertTrue(counters.snapshot().values().stream().allMatch(v -> v == 0), "nothing counted before it finishes");
        assertTrue(Files.notExists(cwd.resolve("x.o")), "nothing compiled before it finishes");
        Outcome.Replay compiled = assertInstanceOf(Outcome.Replay.class, deferred.rest().run());
        assertEquals(0, compiled.exitCode(), new String(compiled.stderr()));
        assertEquals(1, count("cache_miss"), counters.snapshot().toString());
        assertEquals(1, count("direct_cache_miss"));
        byte[] object = Files.readAllBytes(cwd.resolve("x.o"));

        Files.delete(cwd.resolve("x.o"));
        Outcome second = pipeline.handleQuick(compile);
        assertInstanceOf(Outcome.Replay.class, second, "a direct hit is answered on the calling thread");
        assertArrayEquals(object, Files.readAllBytes(cwd.resolve("x.o")));
        assertEquals(1, count("direct_cache_hit"));
        assertEquals(1, count("direct_cache_miss"), "the hit did not count a miss");
        assertEquals(1, count("cache_miss"));
    }

    @Test
    void anEditedHeaderDefersToThePreprocessorAndCountsOneDirectMiss() throws Exception {
        CompileRequest compile = request(Map.of(), "-c", "x.c", "-o", "x.o");
        ((Outcome.Deferred) pipeline.handleQuick(compile)).rest().run();
        write("x.h", "#define X 2\n");

        Outcome again = pipeline.handleQuick(compile);
        Outcome.Deferred deferred = assertInstanceOf(Outcome.Deferred.class, again);
        assertEquals(1, count("direct_cache_miss"), "the second lookup's miss is not written before it finishes");
        assertInstanceOf(Outcome.Replay.class, deferred.rest().run());
        assertEquals(2, count("direct_cache_miss"));
        assertEquals(2, count("cache_miss"));
        assertEquals(0, count("direct_cache_hit"));
    }

    @Test
    void anUncacheableCallIsAnsweredAtOnce() throws Exception {
        Outcome o = pipeline.handleQuick(request(Map.of(), "x.o", "-o", "x"));
        assertInstanceOf(Outcome.Passthrough.class, o);
        assertEquals(1, count("called_for_link"));
    }

    @Test
    void aCompilerCheckCommandNotRunYetIsDeferredThenItsResultServesHitsAtOnce() throws Exception {
        CompileRequest compile = request(Map.of("CCACHE_COMPILERCHECK", "%compiler% -dumpversion"),
                "-c", "x.c", "-o", "x.o");
        Outcome first = pipeline.handleQuick(compile);
        assertInstanceOf(Outcome.Deferred.class, first);
        assertInstanceOf(Outcome.Replay.class, ((Outcome.Deferred) first).rest().run());
        Outcome second = pipeline.handleQuick(compile);
        assertInstanceOf(Outcome.Replay.class, second, "the command's result is known now");
        assertEquals(1, count("direct_cache_hit"));
    }

    /**
     * Identical calls arriving together (a parallel build's duplicates, issue 17's benchmark) cost
     * one preprocessor run and one compile: the first call's compile is held until the other
     * three have either run the preprocessor (what they did before: each ran it, then waited for
     * the compile by the preprocessor-mode key) or had 2 s to get there; then the three are
     * answered from the first call's manifest as direct hits, each with an object identical to
     * the first's.
     */
    @Test
    void identicalCallsArrivingTogetherRunThePreprocessorOnceAndAreAnsweredInDirectMode() throws Exception {
        java.util.concurrent.atomic.AtomicInteger preprocessorRuns = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger compiles = new java.util.concurrent.atomic.AtomicInteger();
        cache.process.ProcessRunner counting = (command, dir, env, limit) -> {
            boolean probe = command.contains("-v") && command.contains("/dev/null");
            if (command.contains("-E") && !probe) {
                preprocessorRuns.incrementAndGet();
            } else if (command.contains("-c") && compiles.incrementAndGet() == 1) {
                long until = System.nanoTime() + 2_000_000_000L;
                while (preprocessorRuns.get() < 4 && System.nanoTime() - until < 0) {
                    Thread.sleep(10);
                }
            }
            return runner.run(command, dir, env, limit);
        };
        CompilePipeline shared = new CompilePipeline(new InMemoryEntryStore(EntryCodec.defaults()),
                new InMemoryBlobStore(), counters, counting, Clock.systemUTC(), 022, CLIENT);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<Outcome>> calls = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                CompileRequest compile = request(Map.of(), "-O2", "-c", "x.c", "-o", "x" + i + ".o");
                calls.add(pool.submit(() -> shared.handle(compile)));
            }
            for (java.util.concurrent.Future<Outcome> f : calls) {
                Outcome.Replay r = assertInstanceOf(Outcome.Replay.class, f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, r.exitCode(), new String(r.stderr()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, preprocessorRuns.get(), "one preprocessor run for four identical calls");
        assertEquals(1, compiles.get());
        assertEquals(1, count("cache_miss"), counters.snapshot().toString());
        assertEquals(3, count("direct_cache_hit"), counters.snapshot().toString());
        assertEquals(1, count("direct_cache_miss"), "the waiters' direct misses were taken back");
        assertEquals(0, count("preprocessed_cache_hit"));
        byte[] first = Files.readAllBytes(cwd.resolve("x0.o"));
        for (int i = 1; i < 4; i++) {
            assertArrayEquals(first, Files.readAllBytes(cwd.resolve("x" + i + ".o")));
        }
    }
}
