package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.frontend.dispatch.BuildJob;
import cache.frontend.dispatch.BuildResult;
import cache.frontend.dispatch.Builder;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.frontend.tier.LookupTier;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import cache.store.OutputKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's seams with fakes: lookup tiers behind the local store, and a builder before the
 * local compile. No processes (a scripted compiler), no sockets, no sleeping.
 */
class PipelineSeamsTest {

    @TempDir
    Path cwd;

    private final InMemoryEntryStore local = new InMemoryEntryStore(EntryCodec.defaults());
    private final InMemoryCounterStore counters = new InMemoryCounterStore();
    /** Every tier's find, in the order asked: "A", "B". The local store is first and not in it. */
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final FakeTier tierA = new FakeTier("A");
    private final FakeTier tierB = new FakeTier("B");
    private final FakeBuilder farm = new FakeBuilder();
    private final ScriptedCompiler compiler = new ScriptedCompiler();
    private CompilePipeline pipeline;
    private Path gcc;

    /** A tier over a map, recording each lookup; {@code broken} makes it throw. */
    final class FakeTier implements LookupTier {
        final String name;
        final Map<Digest, CacheEntry> entries = new ConcurrentHashMap<>();
        volatile boolean broken;

        FakeTier(String name) {
            this.name = name;
        }

        @Override
        public Hit find(Digest key, String namespace, Consumer<Counter> counts) {
            asked.add(name);
            if (broken) {
                throw new IllegalStateException("tier " + name + " is broken");
            }
            CacheEntry e = entries.get(key);
            counts.accept(e == null ? Counter.REMOTE_STORAGE_READ_MISS : Counter.REMOTE_STORAGE_READ_HIT);
            return e == null ? null : new Hit(e, Counter.REMOTE_STORAGE_HIT);
        }

        @Override
        public void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts) {
            entries.put(key, entry);
            counts.accept(Counter.REMOTE_STORAGE_WRITE);
        }
    }

    /** A farm that answers with an object of its own, not written in place; or fails as told. */
    final class FakeBuilder implements Builder {
        final List<BuildJob> jobs = new CopyOnWriteArrayList<>();
        volatile RuntimeException throwing;
        volatile boolean failing;

        @Override
        public String name() {
            return "farm";
        }

        @Override
        public CompletableFuture<BuildResult> build(BuildJob job) {
            jobs.add(job);
            if (throwing != null) {
                throw throwing;
            }
            if (failing) {
                return CompletableFuture.failedFuture(new IOException("node went away"));
            }
            return CompletableFuture.completedFuture(new BuildResult(0, new byte[0],
                    "farm: warning\n".getBytes(StandardCharsets.UTF_8),
                    Map.of(OutputKind.OBJECT, "FARM-OBJ".getBytes(StandardCharsets.UTF_8)), null, null, false,
                    name(), Counter.REMOTE_COMPILE));
        }
    }

    /** Answers -E with the source text and -c by writing "LOCAL-OBJ" to the -o path. */
    static final class ScriptedCompiler implements ProcessRunner {
        final List<List<String>> compiles = new CopyOnWriteArrayList<>();

        @Override
        public ProcessResult run(List<String> command, Path dir, Map<String, String> env, java.time.Duration limit)
                throws IOException {
            if (command.contains("-v") && command.contains("/dev/null")) {
                return new ProcessResult(1, new byte[0], new byte[0]); // no search path: no manifests
            }
            int o = command.indexOf("-o");
            if (command.contains("-E")) {
                Files.write(dir.resolve(command.get(o + 1)), Files.readAllBytes(dir.resolve("x.c")));
                return new ProcessResult(0, new byte[0], new byte[0]);
            }
            compiles.add(command);
            Files.writeString(dir.resolve(command.get(o + 1)), "LOCAL-OBJ");
            return new ProcessResult(0, new byte[0], new byte[0]);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        gcc = Files.writeString(cwd.resolve("gcc"), "fake compiler binary");
        Files.writeString(cwd.resolve("x.c"), "int x;\n");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
        pipeline = new CompilePipeline(local, new InMemoryBlobStore(), counters,
                new CompilePipeline.Shared(compiler, null), clock, 022, List.of(tierA, tierB), List.of(farm));
    }

    private Outcome compile() throws InterruptedException {
        Map<String, String> env = Map.of("HOME", cwd.toString());
        Config config;
        try {
            config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        return pipeline.handle(new CompileRequest("gcc", gcc, List.of("-c", "x.c", "-o", "x.o"), cwd, env, 022,
                false, config));
    }

    private long count(Counter c) {
        return counters.snapshot().getOrDefault(c.id(), 0L);
    }

    private String object() throws IOException {
        return Files.readString(cwd.resolve("x.o"));
    }

    @Test
    void theBuilderIsAskedOnlyOnAMissAndItsResultGoesToEveryTier() throws Exception {
        Outcome first = compile();
        assertInstanceOf(Outcome.Replay.class, first);
        assertEquals(1, farm.jobs.size());
        assertEquals(List.of(), compiler.compiles, "the farm built it; nothing compiled here");
        assertEquals("FARM-OBJ", object(), "a farm's object is written to the caller's path, as a hit is");
        assertEquals("farm: warning\n", new String(((Outcome.Replay) first).stderr(), StandardCharsets.UTF_8));
        assertEquals(1, tierA.entries.size());
        assertEquals(1, tierB.entries.size());
        assertEquals(1, count(Counter.LOCAL_STORAGE_WRITE));
        assertEquals(1, count(Counter.REMOTE_COMPILE), "the builder's result counts what it says it was");

        Files.delete(cwd.resolve("x.o"));
        Outcome second = compile();
        assertInstanceOf(Outcome.Replay.class, second);
        assertEquals(1, farm.jobs.size(), "a hit builds nothing");
        assertEquals("FARM-OBJ", object());
        assertEquals(List.of("A", "B"), asked, "the local hit answered the second call before any other tier");
        assertEquals(1, count(Counter.PREPROCESSED_CACHE_HIT));
        assertEquals(1, count(Counter.LOCAL_STORAGE_HIT));
    }

    @Test
    void tiersAreAskedInOrderAndAHitFromASlowerOneIsBackFilled() throws Exception {
        compile();
        Digest key = tierB.entries.keySet().iterator().next();
        local.clear();
        tierA.entries.clear();
        asked.clear();

        Outcome o = compile();
        assertInstanceOf(Outcome.Replay.class, o);
        assertEquals(List.of("A", "B"), asked, "the local store, then A, then B");
        assertEquals(1, farm.jobs.size(), "a hit in B builds nothing");
        assertNotNull(local.get(key), "B's hit back-filled into the local store");
        assertNotNull(tierA.entries.get(key), "and into A");
        assertEquals(1, count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(1, count(Counter.PREPROCESSED_CACHE_HIT));
    }

    @Test
    void aBuilderThatFailsFallsBackToTheLocalCompileAndIsCounted() throws Exception {
        farm.failing = true;
        Outcome o = compile();
        assertInstanceOf(Outcome.Replay.class, o, "the call is answered, not broken");
        assertEquals(1, farm.jobs.size(), "the farm was asked");
        assertEquals(1, compiler.compiles.size(), "then the local builder compiled");
        assertEquals("LOCAL-OBJ", object());
        assertEquals(1, count(Counter.BUILDER_FAILED));
        assertEquals(0, count(Counter.FALLBACK_LOCAL), "no fallback to the client: the daemon compiled it");
        assertEquals(1, count(Counter.LOCAL_STORAGE_WRITE), "the local result is stored");
    }

    @Test
    void aBuilderThatThrowsFallsBackToTheLocalCompileToo() throws Exception {
        farm.throwing = new IllegalStateException("bug in a builder");
        Outcome o = compile();
        assertInstanceOf(Outcome.Replay.class, o);
        assertEquals(1, compiler.compiles.size());
        assertEquals(1, count(Counter.BUILDER_FAILED));
    }

    @Test
    void aLocalBuildSeesTheSameJobTheFarmWouldHaveSeen() throws Exception {
        compile();
        BuildJob job = farm.jobs.get(0);
        assertNotNull(job.key(), "a preprocessor-mode miss carries its key (a node can look it up)");
        assertEquals("x.c", job.inv().source());
        assertEquals("x.o", job.inv().object());
        assertTrue(job.localCommand().contains("-c"), job.localCommand().toString());
        assertNull(job.preprocessedFile(), "run_second_cpp is on by default: the source is compiled");
    }

    @Test
    void aTierThatThrowsNeverBreaksTheCall() throws Exception {
        tierA.broken = true;
        Outcome o = compile();
        assertInstanceOf(Outcome.Fallback.class, o, "the client compiles as asked");
        assertEquals(1, count(Counter.FALLBACK_LOCAL));
        assertEquals(1, count(Counter.INTERNAL_ERROR));
        assertArrayEquals(new Object[0], farm.jobs.toArray(), "nothing was built for a call handed back");
    }

    @Test
    void recacheAsksNoTierButStoresInEvery() throws Exception {
        compile();
        asked.clear();
        Map<String, String> env = Map.of("HOME", cwd.toString(), "CCACHE_RECACHE", "1");
        Config config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
        Outcome o = pipeline.handle(new CompileRequest("gcc", gcc, List.of("-c", "x.c", "-o", "x.o"), cwd, env,
                022, false, config));
        assertInstanceOf(Outcome.Replay.class, o);
        assertEquals(List.of(), asked);
        assertEquals(2, farm.jobs.size());
        assertEquals(1, count(Counter.RECACHE));
        assertEquals(2, count(Counter.LOCAL_STORAGE_WRITE));
        assertEquals(1, tierB.entries.size(), "the same key, written again");
    }
}
