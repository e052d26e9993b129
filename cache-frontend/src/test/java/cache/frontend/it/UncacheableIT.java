package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Calls we do not cache still behave exactly as the compiler does, and are counted with their reason. */
@Timeout(300)
class UncacheableIT extends CacheWorkDir {

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(work.resolve("p.c"), "#include <stdio.h>\nint main(void) { puts(\"linked\"); return 0; }\n");
        Files.writeString(work.resolve("bad.c"), "int f(void) { return undeclared_name; }\n");
    }

    @Test
    void linkingRunsTheCompilerAndIsCounted() throws Exception {
        CacheFixture.Result r = cache.cache(work, "gcc", "p.c", "-o", "prog");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("linked\n", CacheFixture.run(work, List.of(work.resolve("prog").toString()), cache.env).out());
        assertEquals(1, cache.stat("called_for_link"));
    }

    /**
     * {@code /dev/stdin}, {@code /dev/fd/N} and {@code /proc/self/…} name the caller's own
     * descriptors; the daemon would read its own (an empty object used to come back). The
     * client compiles such calls itself: same bytes as gcc run directly, every time.
     */
    @Test
    void filesOfTheCallersOwnDescriptorsAreCompiledByTheClient() throws Exception {
        String client = CacheFixture.CLIENT.toString();
        CacheFixture.Result plain = cache.run(work, List.of("sh", "-c", "gcc -c -x c /dev/stdin -o plain.o < p.c"));
        assertEquals(0, plain.exitCode(), plain.err());
        for (int i = 0; i < 2; i++) {
            CacheFixture.Result r = cache.run(work, List.of("sh", "-c", client + " gcc -c -x c /dev/stdin -o s.o < p.c"));
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("s.o")));
        }
        Files.writeString(work.resolve("args.rsp"), "-c p.c -o r.o\n");
        CacheFixture.Result viaFd = cache.run(work, List.of("sh", "-c", client + " gcc @/dev/fd/3 3< args.rsp"));
        assertEquals(0, viaFd.exitCode(), viaFd.err());
        assertTrue(Files.size(work.resolve("r.o")) > 0);
        assertEquals(3, cache.stat("unsupported_compiler_option"));
        assertEquals(0, cache.stat("cache_miss") + cache.hits());
    }

    /**
     * Issue 22: git defines {@code PROCFS_EXECUTABLE_PATH="/proc/self/exe"} on every compile, and a
     * substring rule once made all of git uncacheable. A macro's value is not a file: the second
     * call is a direct hit, and the object is gcc's own.
     */
    @Test
    void aMacroWhoseValueLooksLikeAProcessPathIsCached() throws Exception {
        Files.writeString(work.resolve("exe.c"), "const char *exe(void) { return PROCFS_EXECUTABLE_PATH; }\n");
        List<String> args = List.of("-DPROCFS_EXECUTABLE_PATH=\"/proc/self/exe\"", "-I/proc/selfish", "-c", "exe.c");
        List<String> direct = new java.util.ArrayList<>(List.of("gcc"));
        direct.addAll(args);
        direct.addAll(List.of("-o", "plain.o"));
        CacheFixture.Result plain = cache.run(work, direct);
        assertEquals(0, plain.exitCode(), plain.err());
        for (int i = 0; i < 2; i++) {
            List<String> viaCache = new java.util.ArrayList<>(List.of(CacheFixture.CLIENT.toString(), "gcc"));
            viaCache.addAll(args);
            viaCache.addAll(List.of("-o", "exe.o"));
            CacheFixture.Result r = cache.run(work, viaCache);
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("exe.o")));
        }
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.stat("direct_cache_hit"));
        assertEquals(0, cache.stat("unsupported_compiler_option"));
    }

    /**
     * The same through symbolic links: a header {@code evil.h -> /dev/stdin}, and a source that
     * is such a link. Each call's stdin differs; each object must be gcc's for that stdin (the
     * daemon once compiled its own empty stdin: a failed build, and a wrong object cached).
     */
    @Test
    void aHeaderOrSourceLinkedToTheCallersStdinIsCompiledByTheClient() throws Exception {
        Files.createSymbolicLink(work.resolve("evil.h"), Path.of("/dev/stdin"));
        Files.createSymbolicLink(work.resolve("src.c"), Path.of("/dev/stdin"));
        Files.writeString(work.resolve("in.c"), "#include \"evil.h\"\nint g(void) { return VALUE; }\n");
        String client = CacheFixture.CLIENT.toString();
        for (int v = 1; v <= 2; v++) {
            Files.writeString(work.resolve("value.h"), "#define VALUE " + v + "\nint v" + v + ";\n");
            for (String call : List.of("gcc -c in.c -o %s.o < value.h", "gcc -x c -c src.c -o %s.o < value.h")) {
                CacheFixture.Result plain = cache.run(work, List.of("sh", "-c", call.formatted("plain")));
                assertEquals(0, plain.exitCode(), plain.err());
                CacheFixture.Result r = cache.run(work, List.of("sh", "-c", client + " " + call.formatted("ours")));
                assertEquals(0, r.exitCode(), call + ": " + r.err());
                assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("ours.o")),
                        call + " with VALUE " + v);
            }
        }
        assertEquals(0, cache.hits());
        assertEquals(4, cache.stat("unsupported_code_directive"));
    }

    /** A header that is the caller's stdin: the daemon's preprocessor would read its own (empty) one. */
    @Test
    void includingTheCallersStdinIsCompiledByTheClient() throws Exception {
        Files.writeString(work.resolve("in.c"), "#include \"/dev/stdin\"\nint g(void) { return VALUE; }\n");
        Files.writeString(work.resolve("value.h"), "#define VALUE 7\n");
        String client = CacheFixture.CLIENT.toString();
        CacheFixture.Result plain = cache.run(work, List.of("sh", "-c", "gcc -c in.c -o plain.o < value.h"));
        assertEquals(0, plain.exitCode(), plain.err());
        for (int i = 0; i < 2; i++) {
            CacheFixture.Result r = cache.run(work, List.of("sh", "-c", client + " gcc -c in.c -o in.o < value.h"));
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve("in.o")));
        }
        assertEquals(0, cache.hits());
    }

    @Test
    void preprocessingToStdoutIsPassedThrough() throws Exception {
        CacheFixture.Result plain = cache.run(work, List.of("gcc", "-E", "p.c"));
        CacheFixture.Result cached = cache.cache(work, "gcc", "-E", "p.c");
        assertEquals(plain.exitCode(), cached.exitCode());
        assertArrayEquals(plain.stdout(), cached.stdout());
        assertEquals(1, cache.stat("called_for_preprocessing"));
    }

    @Test
    void failedCompileMatchesAndIsNeverCached() throws Exception {
        CacheFixture.Result plain = cache.run(work, List.of("gcc", "-c", "bad.c"));
        assertTrue(plain.exitCode() != 0);
        for (int i = 0; i < 2; i++) {
            CacheFixture.Result r = cache.cache(work, "gcc", "-c", "bad.c");
            assertEquals(plain.exitCode(), r.exitCode());
            assertEquals(plain.err(), r.err());
        }
        assertEquals(2, cache.stat("compile_failed"));
        assertEquals(0, cache.stat("cache_miss"), "as ccache 4.7 counts: a failed compile is no miss");
        assertEquals(0, cache.hits());
    }

    @Test
    void preprocessorErrorShowsTheCompilersOwnMessage() throws Exception {
        Files.writeString(work.resolve("inc.c"), "#include \"does-not-exist.h\"\n");
        CacheFixture.Result plain = cache.run(work, List.of("gcc", "-c", "inc.c"));
        CacheFixture.Result r = cache.cache(work, "gcc", "-c", "inc.c");
        assertEquals(plain.exitCode(), r.exitCode());
        assertEquals(plain.err(), r.err());
        assertEquals(1, cache.stat("preprocessor_error"));
    }

    @Test
    void autoconfProbesAndMissingInputsAreCounted() throws Exception {
        Files.writeString(work.resolve("conftest.c"), "int main(void) { return 0; }\n");
        // As ccache 4.7: configure's compiles are cached like any other, its links are labelled.
        assertEquals(0, cache.cache(work, "gcc", "-c", "conftest.c").exitCode());
        assertEquals(0, cache.cache(work, "gcc", "-c", "conftest.c").exitCode());
        assertEquals(1, cache.hits());
        assertEquals(0, cache.stat("autoconf_test"));
        assertEquals(0, cache.cache(work, "gcc", "conftest.c", "-o", "conftest").exitCode());
        assertEquals(1, cache.stat("autoconf_test"));
        CacheFixture.Result missing = cache.cache(work, "gcc", "-c", "nope.c");
        assertTrue(missing.exitCode() != 0);
        assertTrue(missing.err().contains("nope.c"), missing.err());
    }
}
