package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code compiler_type} ({@code CCACHE_COMPILERTYPE}): the configured type overrides the
 * guess, and {@code auto} guesses as ccache 4.7 does, through symbolic links to the real
 * compiler. Observable here by what each type refuses: MSVC-style and nvcc command lines,
 * and for types other than gcc and clang {@code -Wp,-MD} without a named target (ccache's
 * {@code unsupported_compiler_option}).
 */
@Timeout(300)
class CompilerTypeIT extends CacheWorkDir {

    private Path bin;
    private Path ccache;

    @BeforeEach
    void setUp() throws Exception {
        bin = Files.createDirectories(tmp.resolve("bin"));
        ccache = Files.createSymbolicLink(bin.resolve("ccache"), CacheFixture.CLIENT);
        Files.writeString(work.resolve("a.c"), "int a(int x) { return x * 2; }\n");
    }

    private CacheFixture.Result ccache(Map<String, String> extra, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extra);
        List<String> cmd = new ArrayList<>(List.of(ccache.toString()));
        cmd.addAll(List.of(args));
        return CacheFixture.run(work, cmd, env);
    }

    @Test
    void msvcStyleAndNvccTypesRunTheCompilerUncached() throws Exception {
        assertEquals(0, CacheFixture.run(work, List.of("gcc", "-c", "a.c", "-o", "plain.o"), cache.env).exitCode());
        for (String type : List.of("msvc", "clang-cl", "icl", "nvcc")) {
            CacheFixture.Result r = ccache(Map.of("CCACHE_COMPILERTYPE", type), "gcc", "-c", "a.c");
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("a.o")), type);
        }
        assertEquals(4, cache.stat("unsupported_compiler_option"));
        assertEquals(0, cache.stat("cache_miss"));
    }

    @Test
    void theGuessFollowsLinksAndAConfiguredTypeOverridesIt() throws Exception {
        Path linked = Files.createSymbolicLink(bin.resolve("mycc"), realGcc()); // guessed gcc: the link is followed
        Path copied = bin.resolve("othercc"); // a wrapper script: guessed other
        Files.writeString(copied, "#!/bin/sh\nexec " + realGcc() + " \"$@\"\n");
        Files.setPosixFilePermissions(copied, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] wp = {"-Wp,-MD,a.d", "-c", "a.c"};
        assertEquals(0, ccache(Map.of(), cat(linked.toString(), wp)).exitCode());
        assertEquals(0, cache.stat("unsupported_compiler_option"));
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(0, ccache(Map.of(), cat(copied.toString(), wp)).exitCode());
        assertEquals(1, cache.stat("unsupported_compiler_option"), "other compilers: ccache cannot tell the target");
        assertEquals(0, ccache(Map.of("CCACHE_COMPILERTYPE", "gcc"), cat(copied.toString(), wp)).exitCode());
        assertEquals(1, cache.stat("unsupported_compiler_option"), "configured gcc: served");
        assertEquals(0, ccache(Map.of("CCACHE_COMPILERTYPE", "other"), cat(linked.toString(), wp)).exitCode());
        assertEquals(2, cache.stat("unsupported_compiler_option"), "configured other: refused");
        assertEquals(2, cache.stat("cache_miss"));
    }

    private static String[] cat(String first, String... rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** The real gcc on PATH. */
    private static Path realGcc() {
        for (String dir : System.getenv("PATH").split(":")) {
            Path p = Path.of(dir, "gcc");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("no gcc on PATH");
    }
}
