package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.hashing.Digest;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.EntryCodec;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline with a scripted compiler: no processes, no sockets, no sleeping. */
class CompilePipelineTest {

    @TempDir
    Path cwd;

    private final InMemoryEntryStore store = new InMemoryEntryStore(EntryCodec.defaults());
    private final InMemoryCounterStore counters = new InMemoryCounterStore();
    private final FakeCompiler compiler = new FakeCompiler();
    private CompilePipeline pipeline;
    private Path gcc;

    /** Answers -E with the source text, and -c by writing "OBJ:" + source to the -o path. */
    final class FakeCompiler implements ProcessRunner {
        final List<List<String>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile CountDownLatch gate;
        volatile int exitCode;
        volatile String stderr = "";
        volatile String cppStderr = "";
        volatile String stdout = "";
        volatile boolean writesObject = true;
        final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public ProcessResult run(List<String> command, Path dir, Map<String, String> env, java.time.Duration limit)
                throws java.io.IOException, InterruptedException {
            if (command.contains("-v") && command.contains("/dev/null")) {
                // the search-path probe: this fake has no search path to tell (real compilers: the ITs)
                probes.incrementAndGet();
                return new ProcessResult(1, new byte[0], "fake compiler: no search path\n".getBytes(StandardCharsets.UTF_8));
            }
            calls.add(command);
            String source = command.stream().filter(a -> a.endsWith(".c") || a.endsWith(".i")).findFirst()
                    .orElseThrow();
            byte[] text = Files.readAllBytes(dir.resolve(source));
            if (command.contains("-E")) {
                int o = command.indexOf("-o");
                if (o < 0) {
                    return new ProcessResult(0, text, new byte[0]);
                }
                Files.write(dir.resolve(command.get(o + 1)), text);
                int mf = command.indexOf("-MF");
                if (mf >= 0) {
                    Files.writeString(dir.resolve(command.get(mf + 1)), "x.o: x.c\n");
                }
                return new ProcessResult(0, new byte[0], cppStderr.getBytes(StandardCharsets.UTF_8));
            }
            if (gate != null) {
                gate.await(10, TimeUnit.SECONDS);
            }
            if (exitCode == 0 && writesObject) {
                int o = command.indexOf("-o");
                String out = o < 0 ? source.replace(".c", ".o") : command.get(o + 1);
                Files.writeString(dir.resolve(out), "OBJ:" + new String(text, StandardCharsets.UTF_8));
            }
            return new ProcessResult(exitCode, stdout.getBytes(StandardCharsets.UTF_8),
                    stderr.getBytes(StandardCharsets.UTF_8));
        }

        long compiles() {
            return calls.stream().filter(c -> !c.contains("-E")).count();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        gcc = Files.writeString(cwd.resolve("gcc"), "fake compiler binary");
        Files.writeString(cwd.resolve("x.c"), "int x;\n");
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
        pipeline = new CompilePipeline(store, new cache.store.InMemoryBlobStore(), counters, compiler, clock, 022);
    }

    private Outcome call(String... args) throws InterruptedException {
        return callWith(Map.of("HOME", cwd.toString()), args);
    }

    private Outcome callWith(Map<String, String> env, String... args) throws InterruptedException {
        Config config;
        try {
            config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
        return pipeline.handle(new CompileRequest("gcc", gcc, List.of(args), cwd, env, 022, false, config));
    }

    private long count(String name) {
        return counters.snapshot().getOrDefault(name, 0L);
    }

    @Test
    void onlyAnIncbinDirectiveMakesTheCallUncacheableNotTheWord() {
        for (String text : new String[] {".incbin \"blob.bin\"\n", "asm(\".incbin \\\"blob.bin\\\"\");",
            "\t.incbin\t\"x\", 4, 8\n", ".incbin\"x\""}) {
            assertTrue(PreprocessorRun.hasIncbinDirective(text.getBytes(StandardCharsets.US_ASCII)), text);
        }
        for (String text : new String[] {"int n = s.incbin_size;", "puts(\"use .incbin to embed\");", ".incbin",
            "x.incbin = 1;"}) {
            assertFalse(PreprocessorRun.hasIncbinDirective(text.getBytes(StandardCharsets.US_ASCII)), text);
        }
    }

    @Test
    void disabledByTheConfigurationCompilesAsAskedAndCountsNothing() throws Exception {
        Outcome o = callWith(Map.of("HOME", cwd.toString(), "CCACHE_DISABLE", "1"), "-c", "x.c", "-o", "x.o");
        assertTrue(o instanceof Outcome.Passthrough, o.toString());
        assertEquals(0, compiler.calls.size());
        assertTrue(counters.snapshot().values().stream().allMatch(v -> v == 0), counters.snapshot().toString());
    }

    @Test
    void missThenHitReplaysStoredOutputs() throws Exception {
        compiler.stderr = "x.c:1: warning: something\n";
        Outcome first = call("-c", "x.c", "-o", "x.o");
        Files.delete(cwd.resolve("x.o"));
        Outcome second = call("-c", "x.c", "-o", "x.o");
        assertEquals(1, compiler.compiles());
        assertEquals("OBJ:int x;\n", Files.readString(cwd.resolve("x.o")));
        Outcome.Replay r = assertInstanceOf(Outcome.Replay.class, second);
        assertArrayEquals(((Outcome.Replay) first).stderr(), r.stderr());
        assertEquals(1, count("cache_miss"));
        assertEquals(1, count("preprocessed_cache_hit"));
        assertEquals(1_700_000_000L, count("stats_updated_timestamp"));
    }

    @Test
    void changedSourceMisses() throws Exception {
        call("-c", "x.c");
        Files.writeString(cwd.resolve("x.c"), "int y;\n");
        call("-c", "x.c");
        assertEquals(2, compiler.compiles());
        assertEquals("OBJ:int y;\n", Files.readString(cwd.resolve("x.o")));
    }

    @Test
    void failedCompileIsReplayedButNotStored() throws Exception {
        compiler.exitCode = 1;
        compiler.stderr = "x.c:1: error: nope\n";
        Outcome.Replay r = assertInstanceOf(Outcome.Replay.class, call("-c", "x.c"));
        assertEquals(1, r.exitCode());
        call("-c", "x.c");
        assertEquals(2, compiler.compiles());
        assertEquals(2, count("compile_failed"));
        assertEquals(0, store.entryCount());
    }

    @Test
    void uncacheableIsPassedThroughAndCounted() throws Exception {
        Outcome.Passthrough p = assertInstanceOf(Outcome.Passthrough.class, call("x.c", "-o", "x"));
        assertTrue(p.reason().startsWith("called_for_link"), p.reason());
        assertEquals(1, count("called_for_link"));
        assertEquals(0, compiler.calls.size());
    }

    @Test
    void aSourceThatIsNotARegularFileIsNoInputFileAsInCcache() throws Exception {
        Files.createDirectories(cwd.resolve("dir.c"));
        for (String source : new String[] {"missing.c", "dir.c"}) {
            Outcome.Passthrough p = assertInstanceOf(Outcome.Passthrough.class, call("-c", source));
            assertTrue(p.reason().startsWith("no_input_file"), p.reason());
        }
        assertEquals(2, count("no_input_file"));
        assertEquals(0, compiler.calls.size());
    }

    @Test
    void anObjectPathThatIsADirectoryOrInAMissingDirectoryIsABadOutputFile() throws Exception {
        Files.createDirectories(cwd.resolve("testd"));
        for (String object : new String[] {"testd", "nowhere/x.o"}) {
            Outcome.Passthrough p = assertInstanceOf(Outcome.Passthrough.class, call("-c", "x.c", "-o", object));
            assertTrue(p.reason().startsWith("bad_output_file"), p.reason());
        }
        assertEquals(2, count("bad_output_file"));
        assertEquals(0, compiler.calls.size());
        assertInstanceOf(Outcome.Replay.class, call("-c", "x.c", "-o", "/dev/null"), "/dev/null is fine");
    }

    @Test
    void theLocaleIsInTheKeyUnlessLocaleSloppiness() throws Exception {
        callWith(Map.of("HOME", cwd.toString(), "LANG", "foo"), "-c", "x.c");
        callWith(Map.of("HOME", cwd.toString(), "LANG", "bar"), "-c", "x.c");
        assertEquals(2, count("cache_miss"), "another LANG, other diagnostics: a miss");
        Map<String, String> sloppy = Map.of("HOME", cwd.toString(), "CCACHE_SLOPPINESS", "locale");
        Map<String, String> foo = new java.util.HashMap<>(sloppy);
        foo.put("LANG", "foo");
        foo.put("LC_ALL", "foo");
        callWith(foo, "-c", "x.c");
        Map<String, String> bar = new java.util.HashMap<>(sloppy);
        bar.put("LANG", "bar");
        bar.put("LC_MESSAGES", "bar");
        callWith(bar, "-c", "x.c");
        callWith(sloppy, "-c", "x.c");
        assertEquals(3, count("cache_miss"), "sloppy: the locale is left out");
        assertEquals(2, count("preprocessed_cache_hit"));
    }

    @Test
    void aCompilersStdoutIsStoredAndReplayedOnAHit() throws Exception {
        compiler.stdout = "cc_out|";
        compiler.stderr = "cc_err|";
        Outcome o1 = call("-c", "x.c");
        Outcome.Replay first = assertInstanceOf(Outcome.Replay.class, o1, o1.toString());
        Outcome o2 = call("-c", "x.c");
        Outcome.Replay second = assertInstanceOf(Outcome.Replay.class, o2, o2.toString());
        assertEquals(1, compiler.compiles());
        assertEquals("cc_out|", new String(first.stdout(), StandardCharsets.UTF_8));
        assertEquals("cc_out|", new String(second.stdout(), StandardCharsets.UTF_8));
        assertEquals("cc_err|", new String(second.stderr(), StandardCharsets.UTF_8));
        assertEquals(1, count("cache_miss"));
        assertEquals(1, count("preprocessed_cache_hit"));
        assertEquals(0, count("compiler_produced_stdout"));
    }

    @Test
    void aSyntaxOnlyCallIsCachedWithItsDiagnosticsAndNoObject() throws Exception {
        compiler.writesObject = false;
        compiler.stderr = "x.c:1: warning: something\n";
        Files.writeString(cwd.resolve("x.o"), "existing");
        Outcome.Replay first = assertInstanceOf(Outcome.Replay.class, call("-fsyntax-only", "x.c"));
        assertEquals("existing", Files.readString(cwd.resolve("x.o")), "no object written over the existing file");
        Files.delete(cwd.resolve("x.o"));
        Outcome.Replay second = assertInstanceOf(Outcome.Replay.class, call("-c", "-fsyntax-only", "x.c"));
        assertArrayEquals(first.stderr(), second.stderr());
        assertFalse(Files.exists(cwd.resolve("x.o")), "a hit writes no object either");
        assertEquals(1, compiler.compiles());
        assertEquals(1, count("cache_miss"));
        assertEquals(1, count("preprocessed_cache_hit"));
    }

    @Test
    void corruptEntryIsAMissAndIsReplaced() throws Exception {
        call("-c", "x.c");
        List<Digest> keys = new ArrayList<>();
        store.forEachKey(keys::add);
        byte[] bad = store.getEncoded(keys.get(0)).clone();
        bad[bad.length / 2] ^= 1;
        store.putEncoded(keys.get(0), bad);
        Files.delete(cwd.resolve("x.o"));
        call("-c", "x.c");
        assertEquals(2, compiler.compiles());
        assertEquals("OBJ:int x;\n", Files.readString(cwd.resolve("x.o")));
        assertEquals(1, count("corrupt_entry"));
        assertEquals(1, store.entryCount());
    }

    @Test
    void identicalConcurrentCompilesRunOnce() throws Exception {
        compiler.gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Outcome>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(pool.submit(() -> call("-c", "x.c")));
            }
            // Wait until all three have preprocessed (the owner then blocks in its compile).
            while (compiler.calls.stream().filter(c -> c.contains("-E")).count() < 3) {
                Thread.onSpinWait();
            }
            compiler.gate.countDown();
            for (Future<Outcome> f : calls) {
                assertEquals(0, assertInstanceOf(Outcome.Replay.class, f.get(10, TimeUnit.SECONDS)).exitCode());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, compiler.compiles());
        assertEquals(1, count("cache_miss"));
    }

    /**
     * The second call's lookup misses; the first call's compile of the same key then stores its
     * entry and ends; only then does the second call join the compiles under way. It finds none
     * there, and must take the entry stored meanwhile rather than compile again.
     */
    @Test
    void aCompileThatEndsBetweenAnotherCallsLookupAndItsJoinIsNotRepeated() throws Exception {
        CountDownLatch secondMissed = new CountDownLatch(1);
        CountDownLatch firstDone = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> second = new java.util.concurrent.atomic.AtomicReference<>();
        cache.frontend.tier.LookupTier holding = new cache.frontend.tier.LookupTier() {
            @Override
            public Hit find(cache.hashing.Digest key, String namespace,
                    java.util.function.Consumer<cache.compat.Counter> counts) {
                if (Thread.currentThread() == second.get() && secondMissed.getCount() > 0) {
                    secondMissed.countDown();
                    try {
                        firstDone.await(10, TimeUnit.SECONDS); // the miss stands while the first call compiles
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return null;
            }

            @Override
            public void put(cache.hashing.Digest key, cache.store.CacheEntry entry, String namespace,
                    java.util.function.Consumer<cache.compat.Counter> counts) {
            }
        };
        pipeline = new CompilePipeline(store, new cache.store.InMemoryBlobStore(), counters,
                new CompilePipeline.Shared(compiler, null), Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC),
                022, List.of(holding), List.of());
        Map<String, String> env = Map.of("HOME", cwd.toString(), "CCACHE_NODIRECT", "1");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> later = pool.submit(() -> {
                second.set(Thread.currentThread());
                return callWith(env, "-c", "x.c");
            });
            assertTrue(secondMissed.await(10, TimeUnit.SECONDS), "the second call looked up and missed");
            assertEquals(0, assertInstanceOf(Outcome.Replay.class, callWith(env, "-c", "x.c")).exitCode());
            firstDone.countDown();
            assertEquals(0, assertInstanceOf(Outcome.Replay.class, later.get(10, TimeUnit.SECONDS)).exitCode());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, compiler.compiles());
        assertEquals(1, count("cache_miss"));
        assertEquals(1, count("inflight_shared"));
        assertEquals("OBJ:int x;\n", Files.readString(cwd.resolve("x.o")));
    }

    private Map<String, String> env(String... kv) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("HOME", cwd.toString(), "CCACHE_TEMPDIR",
                cwd.resolve("tmp").toString()));
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    private List<String> preprocessorRun() {
        return compiler.calls.stream().filter(c -> c.contains("-E")).findFirst().orElseThrow();
    }

    private List<String> compileRun() {
        return compiler.calls.stream().filter(c -> !c.contains("-E")).findFirst().orElseThrow();
    }

    @Test
    void preprocessorOutputGoesToATemporaryFileUnderTemporaryDirThatIsRemovedAfterwards() throws Exception {
        assertInstanceOf(Outcome.Replay.class, callWith(env(), "-c", "x.c"));
        List<String> cpp = preprocessorRun();
        String out = cpp.get(cpp.indexOf("-o") + 1);
        assertTrue(out.startsWith(cwd.resolve("tmp") + "/cpp_stdout.") && out.endsWith(".i"), out);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cwd.resolve("tmp"))));
        try (var left = Files.list(cwd.resolve("tmp"))) {
            assertEquals(0, left.count());
        }
        // gcc's colour option last, whatever the caller chose (ccache: a result serves every choice)
        assertEquals(List.of("-c", "x.c", "-fdiagnostics-color"), compileRun().subList(1, compileRun().size()));
    }

    /**
     * The search-path probe ({@code -E -v -x c /dev/null}) finds a precompiled header in an
     * earlier include directory; it runs only when the preprocessed text shows an include gcc
     * could take from one: none here for a file without includes or one whose first token comes
     * before its include, one for a file that starts with its include.
     */
    @Test
    void theSearchPathProbeRunsOnlyWhereAPrecompiledHeaderCouldBeUsed() throws Exception {
        Files.writeString(cwd.resolve("a.h"), "int a;\n");
        assertInstanceOf(Outcome.Replay.class, call("-c", "x.c"));
        Files.writeString(cwd.resolve("late.c"), "# 1 \"late.c\"\nint first;\n# 1 \"a.h\" 1\nint a;\n# 3 \"late.c\" 2\n");
        assertInstanceOf(Outcome.Replay.class, call("-c", "late.c"));
        assertEquals(0, compiler.probes.get());
        Files.writeString(cwd.resolve("early.c"), "# 1 \"early.c\"\n# 1 \"a.h\" 1\nint a;\n# 2 \"early.c\" 2\nint e;\n");
        assertInstanceOf(Outcome.Replay.class, call("-c", "early.c"));
        assertEquals(1, compiler.probes.get());
        assertEquals(3, count("cache_miss"));
    }

    @Test
    void anUnusableTemporaryDirFallsBackToTheDaemonsOwn() throws Exception {
        Files.writeString(cwd.resolve("tmp"), "a file, not a directory");
        assertInstanceOf(Outcome.Replay.class, callWith(env(), "-c", "x.c"));
        List<String> cpp = preprocessorRun();
        String out = cpp.get(cpp.indexOf("-o") + 1);
        assertTrue(out.startsWith(System.getProperty("java.io.tmpdir")), out);
        assertEquals(1, count("cache_miss"));
    }

    @Test
    void runSecondCppFalseCompilesThePreprocessedFileAndPutsThePreprocessorsStderrFirst() throws Exception {
        compiler.cppStderr = "x.c:1: warning: from cpp\n";
        compiler.stderr = "x.c:1: warning: from cc1\n";
        Outcome.Replay miss = assertInstanceOf(Outcome.Replay.class,
                callWith(env("CCACHE_NOCPP2", ""), "-DX=1", "-MD", "-c", "x.c", "-o", "x.o"));
        assertEquals("x.c:1: warning: from cpp\nx.c:1: warning: from cc1\n",
                new String(miss.stderr(), StandardCharsets.UTF_8));
        List<String> cpp = preprocessorRun();
        String tmp = cpp.get(cpp.indexOf("-o") + 1);
        assertEquals(List.of("-DX=1", "-MD", "-MF", "x.d", "-MQ", "x.o", "-fdiagnostics-color", "-E", "-o", tmp, "x.c"),
                cpp.subList(1, cpp.size()));
        assertEquals(List.of("-c", "-fdiagnostics-color", "-o", "x.o", tmp), compileRun().subList(1, compileRun().size()));
        assertFalse(Files.exists(Path.of(tmp)));
    }

    @Test
    void runSecondCppFalseHandsBackToTheClientWhenTheCompileOfTheTemporaryFileLeavesNoObject() throws Exception {
        // As with a cpp_extension the compiler does not take for a source: it writes no object.
        compiler.writesObject = false;
        assertInstanceOf(Outcome.Replay.class, callWith(env(), "-c", "x.c"), "the source's compile said it all");
        assertInstanceOf(Outcome.Passthrough.class, callWith(env("CCACHE_NOCPP2", ""), "-c", "x.c"));
        assertEquals(2, count("compiler_produced_no_output"));
    }

    @Test
    void theKeyTellsTheTwoRunSecondCppSettingsApart() throws Exception {
        callWith(env(), "-c", "x.c");
        callWith(env("CCACHE_NOCPP2", ""), "-c", "x.c");
        assertEquals(2, compiler.compiles());
        callWith(env("CCACHE_NOCPP2", "", "CCACHE_EXTENSION", "ii"), "-c", "x.c");
        assertEquals(3, compiler.compiles(), "cpp_extension is in the key with run_second_cpp = false");
        callWith(env(), "-c", "x.c");
        assertEquals(3, compiler.compiles());
    }

    @Test
    void absolutePathsInStderrRewritesWhatAMissAndAHitPrint() throws Exception {
        compiler.stderr = "x.c:1:1: warning: w\n";
        String expected = cwd.toRealPath() + "/x.c:1:1: warning: w\n";
        for (int i = 0; i < 2; i++) {
            Outcome.Replay r = assertInstanceOf(Outcome.Replay.class,
                    callWith(env("CCACHE_ABSSTDERR", ""), "-c", "x.c"));
            assertEquals(expected, new String(r.stderr(), StandardCharsets.UTF_8));
        }
        Outcome.Replay plain = assertInstanceOf(Outcome.Replay.class, callWith(env(), "-c", "x.c"));
        assertEquals("x.c:1:1: warning: w\n", new String(plain.stderr(), StandardCharsets.UTF_8), "stored as printed");
    }

    @Test
    void msvcStyleAndNvccCompilerTypesRunUncached() throws Exception {
        for (String type : List.of("msvc", "clang-cl", "icl", "nvcc")) {
            assertInstanceOf(Outcome.Passthrough.class, callWith(env("CCACHE_COMPILERTYPE", type), "-c", "x.c"), type);
        }
        assertEquals(4, count("unsupported_compiler_option"));
        assertEquals(0, compiler.calls.size());
    }

    @Test
    void compilerTypeOtherRefusesWpDependencyOptionsWithoutATarget() throws Exception {
        assertInstanceOf(Outcome.Passthrough.class,
                callWith(env("CCACHE_COMPILERTYPE", "other"), "-Wp,-MD,x.d", "-c", "x.c"));
        assertInstanceOf(Outcome.Replay.class, callWith(env(), "-Wp,-MD,x.d", "-c", "x.c"));
    }
}
