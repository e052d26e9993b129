package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Anything that changes the result must change the key: each change below is a miss with a correct object. */
@Timeout(300)
class MissIT extends CacheWorkDir {

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(work.resolve("inc"));
        Files.writeString(work.resolve("inc/h.h"), "#define VALUE 1\n");
        Files.writeString(work.resolve("m.c"), "#include \"h.h\"\nint value(void) { return VALUE + EXTRA; }\n");
    }

    /** Compiles through cache, checks the object against a plain compile, returns whether it was a hit. */
    private boolean compile(String compiler, String flags) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(flags.split(" ")));
        List<String> plain = new ArrayList<>(List.of(compiler));
        plain.addAll(args);
        assertEquals(0, cache.run(work, plain).exitCode());
        byte[] expected = Files.readAllBytes(work.resolve("m.o"));
        Files.delete(work.resolve("m.o"));
        long hits = cache.stat("preprocessed_cache_hit") + cache.stat("direct_cache_hit");
        List<String> cached = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), compiler));
        cached.addAll(args);
        CacheFixture.Result r = cache.run(work, cached);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(expected, Files.readAllBytes(work.resolve("m.o")), "object differs from a plain compile");
        return cache.stat("preprocessed_cache_hit") + cache.stat("direct_cache_hit") > hits;
    }

    @Test
    void headerEditIsAMiss() throws Exception {
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        assertEquals(true, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        Files.writeString(work.resolve("inc/h.h"), "#define VALUE 2\n");
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        assertEquals(true, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
    }

    @Test
    void definitionChangeIsAMiss() throws Exception {
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        assertEquals(false, compile("gcc", "-DEXTRA=5 -Iinc -c m.c -o m.o"));
        assertEquals(true, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
    }

    @Test
    void sourceChangeIsAMiss() throws Exception {
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        Files.writeString(work.resolve("m.c"), "#include \"h.h\"\nint value(void) { return VALUE * 7 + EXTRA; }\n");
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
    }

    @Test
    void optimisationAndUnknownFlagsAreInTheKey() throws Exception {
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -O0 -c m.c -o m.o"));
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -O2 -c m.c -o m.o"));
        // An option our table does not know stays cacheable and is hashed.
        assertEquals(false, compile("gcc", "-DEXTRA=0 -Iinc -O2 -fno-semantic-interposition -c m.c -o m.o"));
        assertEquals(true, compile("gcc", "-DEXTRA=0 -Iinc -O2 -fno-semantic-interposition -c m.c -o m.o"));
    }

    @Test
    void otherCompilerIsAMiss() throws Exception {
        // A compiler of our own whose identity we can change: a wrapper around the real gcc.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path gcc = bin.resolve("gcc");
        Files.writeString(gcc, "#!/bin/sh\nexec /usr/bin/gcc \"$@\"\n");
        gcc.toFile().setExecutable(true);
        assertEquals(false, compile(gcc.toString(), "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        assertEquals(true, compile(gcc.toString(), "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        // An upgraded compiler (new mtime, as ccache's compiler_check=mtime sees it).
        Files.setLastModifiedTime(gcc, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(false, compile(gcc.toString(), "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        if (Compilers.cCompilers().contains("clang")) {
            assertEquals(false, compile("clang", "-DEXTRA=0 -Iinc -c m.c -o m.o"));
        }
    }

    @Test
    void responseFileContentsAreInTheKey() throws Exception {
        Files.writeString(work.resolve("flags.rsp"), "-DEXTRA=1 -Iinc\n");
        assertEquals(false, compile("gcc", "@flags.rsp -c m.c -o m.o"));
        assertEquals(true, compile("gcc", "@flags.rsp -c m.c -o m.o"));
        Files.writeString(work.resolve("flags.rsp"), "-DEXTRA=2 -Iinc\n");
        assertEquals(false, compile("gcc", "@flags.rsp -c m.c -o m.o"));
    }
}
