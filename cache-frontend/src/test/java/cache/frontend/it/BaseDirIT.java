package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * base_dir and hash_dir: two checkouts of one project in different directories, built with
 * absolute paths, share hits when base_dir covers both; what the hit writes is what the
 * compiler writes for the rewritten (relative) command, but for the .d's rule target: the object
 * as typed.
 */
@Timeout(300)
class BaseDirIT extends CacheWorkDir {

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        for (String c : List.of("a", "b")) {
            Path p = Files.createDirectories(work.resolve(c + "/proj/inc"));
            Files.createDirectories(work.resolve(c + "/proj/obj"));
            Files.writeString(p.resolve("conf.h"), "#define LEVEL 3\n");
            Files.writeString(p.getParent().resolve("m.c"),
                    "#include <stdio.h>\n#include \"conf.h\"\nint f(void) { return LEVEL; }\n");
        }
        CacheFixture.backdate(work);
    }

    private List<String> absoluteCommand(String cc, Path proj, String extra) {
        List<String> cmd = new ArrayList<>(List.of(cc, "-O2", "-c", proj.resolve("m.c").toString(),
                "-I" + proj.resolve("inc"), "-o", proj.resolve("obj/m.o").toString(),
                "-MD", "-MF", proj.resolve("obj/m.d").toString()));
        if (!extra.isEmpty()) {
            cmd.add(extra);
        }
        return cmd;
    }

    private CacheFixture.Result cached(Path proj, List<String> command, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extraEnv);
        env.put("PWD", proj.toString());
        List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString()));
        cmd.addAll(command);
        CacheFixture.Result r = CacheFixture.run(proj, cmd, env);
        assertEquals(0, r.exitCode(), r.err());
        return r;
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void twoCheckoutsShareHitsUnderBaseDir(String cc) throws Exception {
        Map<String, String> base = Map.of("CCACHE_BASEDIR", work.toString());
        Path a = work.resolve("a/proj");
        Path b = work.resolve("b/proj");
        cached(a, absoluteCommand(cc, a, ""), base);
        long direct = cache.stat("direct_cache_hit");
        cached(b, absoluteCommand(cc, b, ""), base);
        assertEquals(direct + 1, cache.stat("direct_cache_hit"), "the second checkout hits");
        byte[] obj = Files.readAllBytes(b.resolve("obj/m.o"));
        byte[] dep = Files.readAllBytes(b.resolve("obj/m.d"));
        // What the compiler itself writes for the rewritten command, in checkout b; the .d's
        // rule target is the object as typed (absolute), as plain gcc of the typed command and
        // ccache's hits write it.
        assertEquals(0, cache.run(b, List.of(cc, "-O2", "-c", "m.c", "-Iinc", "-o", "obj/m.o", "-MD", "-MF", "obj/m.d",
                "-MQ", b.resolve("obj/m.o").toString())).exitCode());
        assertArrayEquals(Files.readAllBytes(b.resolve("obj/m.o")), obj, "object");
        assertArrayEquals(Files.readAllBytes(b.resolve("obj/m.d")), dep, ".d file");
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void withoutBaseDirTheCheckoutsDoNotShare(String cc) throws Exception {
        Path a = work.resolve("a/proj");
        Path b = work.resolve("b/proj");
        cached(a, absoluteCommand(cc, a, ""), Map.of());
        long hits = cache.stat("direct_cache_hit") + cache.stat("preprocessed_cache_hit");
        cached(b, absoluteCommand(cc, b, ""), Map.of());
        assertEquals(hits, cache.stat("direct_cache_hit") + cache.stat("preprocessed_cache_hit"));
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void debugInfoHashesTheDirectoryUnlessHashDirIsOff(String cc) throws Exception {
        Path a = work.resolve("a/proj");
        Path b = work.resolve("b/proj");
        Map<String, String> base = Map.of("CCACHE_BASEDIR", work.toString());
        cached(a, absoluteCommand(cc, a, "-g"), base);
        long direct = cache.stat("direct_cache_hit");
        cached(b, absoluteCommand(cc, b, "-g"), base);
        assertEquals(direct, cache.stat("direct_cache_hit"), "-g embeds the directory: no sharing by default");
        Map<String, String> noHashDir = Map.of("CCACHE_BASEDIR", work.toString(), "CCACHE_NOHASHDIR", "1");
        cached(a, absoluteCommand(cc, a, "-g"), noHashDir);
        cached(b, absoluteCommand(cc, b, "-g"), noHashDir);
        assertEquals(direct + 1, cache.stat("direct_cache_hit"), "hash_dir = false shares them");
    }
}
