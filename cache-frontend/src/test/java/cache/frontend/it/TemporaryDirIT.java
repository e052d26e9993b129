package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code temporary_dir} ({@code CCACHE_TEMPDIR}): the preprocessor's output (which
 * {@code run_second_cpp = false} compiles) is written there, in a directory made 0700 when
 * missing, and removed after the call; an unusable directory never fails a build.
 */
@Timeout(300)
class TemporaryDirIT extends CacheWorkDir {

    private Path ccache;
    private Path log;
    private Path wrapper;

    @BeforeEach
    void setUp() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        ccache = Files.createSymbolicLink(bin.resolve("ccache"), CacheFixture.CLIENT);
        Files.writeString(work.resolve("a.c"), "int a(int x) { return x * 2; }\n");
        // prefix_command_cpp records each preprocessor command line: where its -o points.
        log = tmp.resolve("cpp.log");
        wrapper = bin.resolve("record");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" >> " + log + "\nexec \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private CacheFixture.Result compile(Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_PREFIX_CPP", wrapper.toString());
        env.putAll(extraEnv);
        return CacheFixture.run(work, List.of(ccache.toString(), "gcc", "-c", "a.c"), env);
    }

    private String preprocessorOutput() throws Exception {
        List<String> lines = Files.readAllLines(log);
        String[] words = lines.get(lines.size() - 1).split(" ");
        for (int i = 0; i + 1 < words.length; i++) {
            if (words[i].equals("-o")) {
                return words[i + 1];
            }
        }
        throw new AssertionError("no -o in " + lines);
    }

    @Test
    void theCallsTemporaryDirIsCreatedPrivateUsedAndLeftEmpty() throws Exception {
        Path dir = tmp.resolve("mine/tmp");
        CacheFixture.Result r = compile(Map.of("CCACHE_TEMPDIR", dir.toString(), "CCACHE_NOCPP2", "1"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(preprocessorOutput().startsWith(dir + "/cpp_stdout."), preprocessorOutput());
        assertTrue(preprocessorOutput().endsWith(".i"), preprocessorOutput());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
        assertTrue(Files.isRegularFile(work.resolve("a.o")));
    }

    @Test
    void theDefaultIsTheRuntimeDirectorysCcacheTmp() throws Exception {
        assertEquals(0, compile(Map.of()).exitCode());
        assertTrue(preprocessorOutput().startsWith(cache.runtimeDir.resolve("ccache-tmp") + "/"), preprocessorOutput());
    }

    @Test
    void anUnusableTemporaryDirFallsBackAndTheBuildGoesOn() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Map<String, String> env = Map.of("CCACHE_TEMPDIR", file.toString(), "CCACHE_NOCPP2", "1");
        CacheFixture.Result miss = compile(env);
        assertEquals(0, miss.exitCode(), miss.err());
        assertTrue(!preprocessorOutput().startsWith(file.toString()), preprocessorOutput());
        assertEquals(0, compile(env).exitCode());
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
    }
}
