package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code absolute_paths_in_stderr} ({@code CCACHE_ABSSTDERR}) with {@code base_dir}: the
 * compiler sees relative paths, the user reads absolute ones, exactly as ccache 4.7.5 prints
 * them, on a miss, a hit and a failed compile; an uncacheable call prints what the compiler
 * prints.
 */
@Timeout(300)
class AbsolutePathsInStderrIT {

    @TempDir
    Path tmp;

    private CacheFixture cache;
    private RealCcache real;
    private Path src;
    private Path ccache;
    private Map<String, String> env;

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        cache = new CacheFixture(tmp);
        real = new RealCcache(cache, tmp.resolve("real-cache"));
        Path proj = Files.createDirectories(tmp.resolve("proj"));
        src = Files.createDirectories(proj.resolve("src"));
        Path inc = Files.createDirectories(proj.resolve("inc"));
        Files.writeString(inc.resolve("h2.h"), "static int unused2(void) { return 2; }\n");
        Files.writeString(inc.resolve("h1.h"), "#include \"h2.h\"\n");
        Files.writeString(src.resolve("m.c"), "#include \"h1.h\"\nint m(int x) { int y; return x; }\n");
        Files.writeString(src.resolve("bad.c"), "#include \"h1.h\"\nint b(void) { return nope; }\n");
        ccache = Files.createSymbolicLink(Files.createDirectories(tmp.resolve("bin")).resolve("ccache"),
                CacheFixture.CLIENT);
        env = Map.of("CCACHE_BASEDIR", proj.toString(), "CCACHE_ABSSTDERR", "1");
    }

    @AfterEach
    void tearDown() throws Exception {
        cache.close();
    }

    private List<String> call(String cc, String source, String... more) {
        List<String> l = new ArrayList<>(List.of(cc, "-Wall", "-I" + src.resolveSibling("inc")));
        l.addAll(List.of(more));
        l.add(src.resolve(source).toString());
        return l;
    }

    private CacheFixture.Result ours(Map<String, String> extra, List<String> compile) throws Exception {
        Map<String, String> e = new HashMap<>(cache.env);
        e.putAll(extra);
        List<String> cmd = new ArrayList<>(List.of(ccache.toString()));
        cmd.addAll(compile);
        return CacheFixture.run(src, cmd, e);
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void missHitAndFailurePrintWhatCcachePrints(String cc) throws Exception {
        List<String> ok = call(cc, "m.c", "-c", "-o", "m.o");
        CacheFixture.Result expected = real.run(src, env, ok);
        assertTrue(expected.err().contains(src.toRealPath() + "/m.c:2:"), expected.err());
        for (int round = 0; round < 2; round++) {
            CacheFixture.Result r = ours(env, ok);
            assertEquals(expected.exitCode(), r.exitCode());
            assertEquals(expected.err(), r.err(), "round " + round);
        }
        assertEquals(1, cache.hits());
        CacheFixture.Result relative = ours(Map.of("CCACHE_BASEDIR", env.get("CCACHE_BASEDIR")), ok);
        assertTrue(relative.err().contains("\nm.c:2:") || relative.err().startsWith("m.c:"), relative.err());

        List<String> bad = call(cc, "bad.c", "-c", "-o", "bad.o");
        CacheFixture.Result failed = real.run(src, env, bad);
        CacheFixture.Result oursFailed = ours(env, bad);
        assertEquals(failed.exitCode(), oursFailed.exitCode());
        assertEquals(failed.err(), oursFailed.err());

        List<String> link = call(cc, "m.c", "-o", "prog");
        assertEquals(real.run(src, env, link).err(), ours(env, link).err(), "uncacheable: the compiler's own words");
    }
}
