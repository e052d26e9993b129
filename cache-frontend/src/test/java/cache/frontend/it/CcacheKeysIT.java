package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ccache settings that change a call's key or what a call does, one test each. */
@Timeout(300)
class CcacheKeysIT extends CacheWorkDir {

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(work.resolve("a.c"), "int a(int x) { return x * 2; }\n");
    }

    private void compile(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), "gcc"));
        cmd.addAll(args.length == 0 ? List.of("-c", "a.c") : List.of(args));
        CacheFixture.Result r = CacheFixture.run(work, cmd, env);
        assertEquals(0, r.exitCode(), r.err());
    }

    private void compileWith(String compiler, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extraEnv);
        CacheFixture.Result r = CacheFixture.run(work, List.of(CacheFixture.CLIENT.toString(), compiler, "-c", "a.c"), env);
        assertEquals(0, r.exitCode(), r.err());
    }

    @Test
    void namespaceSeparatesEntriesAndCanBeEvicted() throws Exception {
        compile(Map.of("CCACHE_NAMESPACE", "one"));
        compile(Map.of("CCACHE_NAMESPACE", "two"));
        assertEquals(2, cache.stat("cache_miss"));
        compile(Map.of("CCACHE_NAMESPACE", "one"));
        assertEquals(1, cache.hits());
        CacheFixture.Result e = cache.cache(work, "--evict-namespace", "one");
        assertEquals(0, e.exitCode(), e.err());
        compile(Map.of("CCACHE_NAMESPACE", "one"));
        compile(Map.of("CCACHE_NAMESPACE", "two"));
        assertEquals(3, cache.stat("cache_miss"));
        assertEquals(2, cache.hits());
    }

    @Test
    void extraFilesToHashAreHashed() throws Exception {
        Path extra = work.resolve("extra.txt");
        Files.writeString(extra, "1");
        Map<String, String> env = Map.of("CCACHE_EXTRAFILES", extra.toString());
        compile(env);
        compile(env);
        Files.writeString(extra, "2");
        compile(env);
        assertEquals(2, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
        compile(Map.of("CCACHE_EXTRAFILES", work.resolve("missing").toString()));
        assertEquals(1, cache.stat("error_hashing_extra_file"));
    }

    @Test
    void ignoredOptionsDoNotChangeTheKey() throws Exception {
        Map<String, String> env = Map.of("CCACHE_IGNOREOPTIONS", "-Wextra -fmessage-length=*");
        compile(env, "-c", "a.c", "-Wextra");
        compile(env, "-c", "a.c", "-fmessage-length=40");
        assertEquals(1, cache.hits());
        compile(env, "-c", "a.c", "-Wall");
        assertEquals(2, cache.stat("cache_miss"));
    }

    @Test
    void compilerCheckStringAndCommand() throws Exception {
        compile(Map.of("CCACHE_COMPILERCHECK", "string:v1"));
        compile(Map.of("CCACHE_COMPILERCHECK", "string:v1"));
        compile(Map.of("CCACHE_COMPILERCHECK", "string:v2"));
        assertEquals(1, cache.hits());
        compile(Map.of("CCACHE_COMPILERCHECK", "%compiler% -dumpversion"));
        compile(Map.of("CCACHE_COMPILERCHECK", "%compiler% -dumpversion"));
        assertEquals(2, cache.hits());
        compile(Map.of("CCACHE_COMPILERCHECK", "/bin/false %compiler%"));
        assertEquals(1, cache.stat("compiler_check_failed"));
        compile(Map.of("CCACHE_COMPILERCHECK", "no_such_command_for_a_compiler_check"));
        assertEquals(2, cache.stat("compiler_check_failed"), "a command that cannot start failed too");
        assertEquals(0, cache.stat("could_not_find_compiler"));
    }

    @Test
    void compilerCheckCommandNamesACompilerTypedWithASlashAsTyped() throws Exception {
        // ccache 4.7: %compiler% is "./cc.sh" as typed, so "echo ./cc.sh" has the same output and a
        // changed script (its mtime is not hashed under a command check) is served from the entry.
        Path script = work.resolve("cc.sh");
        Files.writeString(script, "#!/bin/sh\nexec gcc \"$@\"\n");
        script.toFile().setExecutable(true);
        compileWith("./cc.sh", Map.of("CCACHE_COMPILERCHECK", "echo %compiler%"));
        Files.writeString(script, "# upgraded\n", java.nio.file.StandardOpenOption.APPEND);
        compileWith("./cc.sh", Map.of("CCACHE_COMPILERCHECK", "echo ./cc.sh"));
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
        compileWith("./cc.sh", Map.of("CCACHE_COMPILERCHECK", "echo " + script));
        assertEquals(2, cache.stat("cache_miss"), "the resolved path is another output");
    }

    @Test
    void clangIndexStoreSloppinessDropsTheIndexStorePathFromKeyAndCompile() throws Exception {
        // ccache 4.7 drops "-index-store-path DIR" under this sloppiness: gcc, which would refuse
        // the option, compiles, and two directories share one entry.
        compile(Map.of("CCACHE_SLOPPINESS", "clang_index_store"), "-index-store-path", "foo", "-c", "a.c");
        compile(Map.of("CCACHE_SLOPPINESS", "clang_index_store"), "-index-store-path", "bar", "-c", "a.c");
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
    }

    @Test
    void hashDirFalseSharesDebugCompilesAcrossDirectoriesReachedThroughASymbolicLink() throws Exception {
        // gcc writes the apparent directory (PWD) into the preprocessed text: it must be left out too.
        Path real = Files.createDirectories(tmp.resolve("tree.real"));
        Path link = Files.createSymbolicLink(tmp.resolve("tree"), real);
        for (String d : List.of("dir1", "dir2")) {
            Path dir = Files.createDirectories(real.resolve(d));
            Files.writeString(dir.resolve("t.c"), "int t(int x) { return x + 1; }\n");
            Map<String, String> env = new HashMap<>(cache.env);
            env.put("CCACHE_NOHASHDIR", "1");
            env.put("CCACHE_NODIRECT", "1");
            env.put("PWD", link.resolve(d).toString());
            CacheFixture.Result r = CacheFixture.run(dir, List.of(CacheFixture.CLIENT.toString(), "gcc", "-g", "-c", "t.c"), env);
            assertEquals(0, r.exitCode(), r.err());
        }
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
    }

    @Test
    void anAssemblerListingFileIsStoredAndReplayedUnderAnyName() throws Exception {
        compile(Map.of(), "-c", "-Wa,-a=one.lst,-L", "a.c");
        byte[] listing = Files.readAllBytes(work.resolve("one.lst"));
        Files.delete(work.resolve("one.lst"));
        compile(Map.of(), "-c", "-Wa,-a=one.lst,-L", "a.c");
        compile(Map.of(), "-c", "-Wa,-a=two.lst,-L", "a.c");
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(2, cache.hits());
        assertTrue(java.util.Arrays.equals(listing, Files.readAllBytes(work.resolve("one.lst"))));
        assertTrue(java.util.Arrays.equals(listing, Files.readAllBytes(work.resolve("two.lst"))));
    }

    @Test
    void umaskAppliesToWrittenOutputs() throws Exception {
        compile(Map.of("CCACHE_UMASK", "077"));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(work.resolve("a.o")));
        Files.delete(work.resolve("a.o"));
        compile(Map.of("CCACHE_UMASK", "027"));
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(work.resolve("a.o")));
        assertEquals(1, cache.hits());
    }

    @Test
    void statsFalseCountsNothing() throws Exception {
        compile(Map.of("CCACHE_NOSTATS", ""));
        compile(Map.of("CCACHE_NOSTATS", ""));
        assertEquals(0, cache.stat("cache_miss"));
        assertEquals(0, cache.hits());
        compile(Map.of());
        assertEquals(1, cache.hits());
    }

    @Test
    void forcedCompilerIsUsed() throws Exception {
        // "cache cc …" with compiler=gcc compiles with gcc under gcc's name: the same key as "cache gcc".
        compile(Map.of());
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_COMPILER", "gcc");
        CacheFixture.Result r = CacheFixture.run(work, List.of(CacheFixture.CLIENT.toString(), "cc", "-c", "a.c"), env);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(1, cache.hits());
        assertTrue(Files.isRegularFile(work.resolve("a.o")));
    }
}
