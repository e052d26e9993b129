package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code run_second_cpp = false} ({@code CCACHE_NOCPP2}) and {@code cpp_extension}
 * ({@code CCACHE_EXTENSION}) through the {@code ccache} link, compared byte for byte with
 * Debian's ccache 4.7.5 under the same settings: object, dependency file, stdout, stderr and
 * exit status, on the miss and on the hit.
 */
@Timeout(300)
class SecondCppIT extends CacheWorkDir {

    private RealCcache real;
    private Path ccache;

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        real = new RealCcache(cache, tmp.resolve("real-cache"));
        ccache = Files.createDirectories(tmp.resolve("bin")).resolve("ccache");
        Files.createSymbolicLink(ccache, CacheFixture.CLIENT);
        Files.writeString(work.resolve("h.h"), "#define DIV(a) ((a) / 0)\nstatic int unused_fn(void) { return 1; }\n");
        Files.writeString(work.resolve("m.c"), """
                #include "h.h"
                #warning from the preprocessor
                int f(int x) { int y; return DIV(x) + __LINE__; }
                int g(int x) { if (x) return 1; }
                """);
        Files.writeString(work.resolve("w.c"), "#warning only the preprocessor sees this\nint w;\n");
        Files.writeString(work.resolve("bad.c"), "#warning w1\nint f(void) { return undefined_thing; }\n");
    }

    /** Everything a compile leaves: exit status, stdout, stderr and the named output files. */
    private Map<String, String> result(CacheFixture.Result r, String... files) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("exit", Integer.toString(r.exitCode()));
        m.put("stdout", r.out());
        m.put("stderr", r.err());
        for (String f : files) {
            Path p = work.resolve(f);
            m.put(f, Files.exists(p) ? Arrays.toString(Files.readAllBytes(p)) : "(missing)");
            Files.deleteIfExists(p);
        }
        return m;
    }

    private CacheFixture.Result ours(Map<String, String> extraEnv, List<String> compile) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>();
        cmd.add(ccache.toString());
        cmd.addAll(compile);
        return CacheFixture.run(work, cmd, env);
    }

    private static List<String> call(String cc, String args) {
        List<String> l = new ArrayList<>();
        l.add(cc);
        l.addAll(Arrays.asList(args.split(" ")));
        return l;
    }

    private static final Map<String, String> NOCPP2 = Map.of("CCACHE_NOCPP2", "1");

    @ParameterizedTest
    @MethodSource("compilers")
    void missAndHitAreByteIdenticalToCcache(String cc) throws Exception {
        String[][] cases = {
            {"-Wall -MD -c m.c -o x.o", "x.o", "x.d"},
            {"-Wall -g -c m.c -o x.o", "x.o"},
            {"-x c -Wall -DEXTRA=1 -c m.c -o x.o", "x.o"},
            {"-Wall -MMD -MF dep.d -MT tgt -c m.c -o x.o", "x.o", "dep.d"},
            {"-Wp,-MD,wp.d -c m.c -o x.o", "x.o", "wp.d"},
            {"-Werror -c w.c -o x.o", "x.o"}, // -Werror reaches the compile only: the #warning stays one
            {"-c bad.c -o x.o", "x.o"},
        };
        for (String[] c : cases) {
            List<String> compile = call(cc, c[0]);
            String[] files = Arrays.copyOfRange(c, 1, c.length);
            Map<String, String> expected = result(real.run(work, NOCPP2, compile), files);
            Map<String, String> miss = result(ours(NOCPP2, compile), files);
            assertEquals(expected, miss, "miss: " + cc + " " + c[0]);
            Map<String, String> hit = result(ours(NOCPP2, compile), files);
            assertEquals(expected, hit, "hit: " + cc + " " + c[0]);
        }
        assertEquals(6, cache.hits(), "every case but the failing one hits the second time");
        assertEquals(2, cache.stat("compile_failed"), "failures are not stored");
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void theTwoSettingsKeepTheirOwnResults(String cc) throws Exception {
        List<String> compile = call(cc, "-Wall -c m.c -o x.o");
        CacheFixture.Result plain = CacheFixture.run(work, compile, cache.env);
        Files.delete(work.resolve("x.o"));
        Map<String, String> ccacheNoCpp2 = result(real.run(work, NOCPP2, compile), "x.o");
        assertFalse(plain.err().equals(ccacheNoCpp2.get("stderr")),
                "compiling the preprocessed text must print something else, or this test proves nothing");
        for (int round = 0; round < 2; round++) {
            assertEquals(plain.err(), ours(Map.of(), compile).err(), "run_second_cpp = true, round " + round);
            assertEquals(ccacheNoCpp2.get("stderr"), ours(NOCPP2, compile).err(), "run_second_cpp = false, round " + round);
        }
        assertEquals(2, cache.stat("cache_miss"));
        assertEquals(2, cache.hits());
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void cppExtensionNamesThePreprocessedFileAsCcache(String cc) throws Exception {
        // .ii: the C source's preprocessed text is compiled as C++ (other symbol names), by both.
        Map<String, String> ii = new HashMap<>(NOCPP2);
        ii.put("CCACHE_EXTENSION", "ii");
        List<String> compile = call(cc, "-c m.c -o x.o");
        Map<String, String> expected = result(real.run(work, ii, compile), "x.o");
        assertEquals(expected, result(ours(ii, compile), "x.o"));
        assertEquals(expected, result(ours(ii, compile), "x.o"));
        assertEquals(1, cache.hits());
        // An extension the compiler does not take for a source: no object from the temporary
        // file, so the command runs as given, as ccache does.
        Map<String, String> foo = new HashMap<>(NOCPP2);
        foo.put("CCACHE_EXTENSION", "foo");
        Map<String, String> fallback = result(real.run(work, foo, compile), "x.o");
        assertEquals(fallback, result(ours(foo, compile), "x.o"));
        assertEquals(1, cache.stat("compiler_produced_no_output"));
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void theDebugDumpOfThePreprocessedTextTakesTheExtension(String cc) throws Exception {
        Files.writeString(work.resolve("p.cpp"), "int p() { return 1; }\n");
        Map<String, String> debug = Map.of("CCACHE_DEBUG", "1");
        assertEquals(0, ours(debug, call(Compilers.cxxFor(cc), "-c p.cpp -o p.o")).exitCode());
        Map<String, String> ext = Map.of("CCACHE_DEBUG", "1", "CCACHE_EXTENSION", "pre");
        // another source: p.cpp to another object name would be a direct hit (no preprocessor run)
        Files.writeString(work.resolve("q.cpp"), "int q() { return 2; }\n");
        assertEquals(0, ours(ext, call(Compilers.cxxFor(cc), "-c q.cpp -o q.o")).exitCode());
        try (Stream<Path> files = Files.list(work)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("p.o.") && n.endsWith(".cache-input-cpp.ii")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("q.o.") && n.endsWith(".cache-input-cpp.pre")), names.toString());
        }
    }
}
