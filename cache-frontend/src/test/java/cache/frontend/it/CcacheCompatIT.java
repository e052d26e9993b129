package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cache} as a drop-in for ccache: run through a link named {@code ccache}, with ccache's
 * environment variables and admin options, against the real daemon and gcc.
 */
@Timeout(300)
class CcacheCompatIT extends CacheWorkDir {

    private Path ccache;

    @BeforeEach
    void setUp() throws Exception {
        ccache = Files.createDirectories(tmp.resolve("bin")).resolve("ccache");
        Files.createSymbolicLink(ccache, CacheFixture.CLIENT);
        Files.writeString(work.resolve("a.c"), "int a(int x) { return x * 2; }\n");
        // older than the first call, so that these tests do not depend on the daemon's JDK
        // reading the coarse clock (a source written in the tick its compile starts is only
        // remembered when it does: docs/internals.md)
        CacheFixture.backdate(work);
    }

    private CacheFixture.Result ccache(Map<String, String> extraEnv, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        env.putAll(extraEnv);
        List<String> cmd = new ArrayList<>();
        cmd.add(ccache.toString());
        cmd.addAll(List.of(args));
        return CacheFixture.run(work, cmd, env);
    }

    private CacheFixture.Result ccache(String... args) throws Exception {
        return ccache(Map.of(), args);
    }

    private void compileOk(Map<String, String> env, String source) throws Exception {
        CacheFixture.Result r = ccache(env, "gcc", "-c", source);
        assertEquals(0, r.exitCode(), r.err());
    }

    /** ccache 4.7.5's test/suites/remote_url.bash, plus the entries it accepts and what it does when disabled. */
    @Test
    void aRemoteStorageUrlCcacheCannotParseFailsTheCallWithCcachesMessage() throws Exception {
        CacheFixture.Result bad = ccache(Map.of("CCACHE_REMOTE_STORAGE", "file:/tmp/ok ://qwerty"), "gcc", "-c", "a.c");
        assertEquals(1, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("Cannot parse URL ://qwerty: Scheme in '://qwerty' is invalid"), bad.err());
        assertFalse(Files.exists(work.resolve("a.o")), "nothing compiled, as with ccache");
        CacheFixture.Result disabled = ccache(Map.of("CCACHE_REMOTE_STORAGE", "://qwerty", "CCACHE_DISABLE", "1"),
                "gcc", "-c", "a.c");
        assertEquals(0, disabled.exitCode(), disabled.err());
        assertTrue(Files.isRegularFile(work.resolve("a.o")), "a disabled cache reads no remote_storage");
        Files.delete(work.resolve("a.o"));
        // ccache accepts this one (and then fails to use it): left out with a log line, the call is served
        CacheFixture.Result accepted = ccache(Map.of("CCACHE_REMOTE_STORAGE", "file:relative/dir"), "gcc", "-c", "a.c");
        assertEquals(0, accepted.exitCode(), accepted.err());
        assertEquals("", accepted.err());
        assertTrue(Files.isRegularFile(work.resolve("a.o")));
        assertEquals(1, cache.stat("cache_miss"));
    }

    @Test
    void prefixModeThroughACcacheLinkHitsOnTheSecondCall() throws Exception {
        compileOk(Map.of(), "a.c");
        compileOk(Map.of(), "a.c");
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(1, cache.hits());
        assertTrue(Files.isRegularFile(work.resolve("a.o")));
    }

    @Test
    void versionFirstLineIsCcachesForTheCcachePersonality() throws Exception {
        CacheFixture.Result r = ccache("--version");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().lines().findFirst().orElse("").matches("ccache version [a-zA-Z0-9_./+-]*"),
                "the whole first line as ccache's suite reads it: " + r.out());
        // ccache's remote_redis suites skip unless this line names the backend
        assertEquals("Features: file-storage http-storage redis+unix-storage redis-storage",
                r.out().lines().skip(1).findFirst().orElse(""), r.out());
        CacheFixture.Result alone = ccache();
        assertEquals(1, alone.exitCode());
        assertTrue(alone.err().startsWith("Usage:\n    ccache [options]\n"), alone.err());
        CacheFixture.Result own = cache.cache(work, "-V");
        assertTrue(own.out().startsWith("cache version "), own.out());
    }

    @Test
    void aCompilerNotInPathExitsWithStatusOneAsCcache() throws Exception {
        CacheFixture.Result r = ccache("blahblah", "-c", "a.c");
        assertEquals(1, r.exitCode(), "ccache's error status, not a shell's 127: " + r.err());
        assertEquals("ccache: error: Could not find compiler \"blahblah\" in PATH\n", r.err());
    }

    @Test
    void anInvalidBooleanVariableFailsTheCallAsCcacheDoes() throws Exception {
        for (String value : List.of("0", "false", "no")) {
            for (String name : List.of("CCACHE_DISABLE", "CCACHE_NODISABLE")) {
                CacheFixture.Result r = ccache(Map.of(name, value), "gcc", "-c", "a.c");
                assertEquals(1, r.exitCode(), name + "=" + value + " is an error: " + r.err());
                assertTrue(r.err().contains(name), r.err());
            }
        }
        assertTrue(Files.notExists(work.resolve("a.o")), "nothing compiled");
    }

    @Test
    void everyProcessACallRunsSeesCcacheDisableAsInCcache() throws Exception {
        Path wrapper = work.resolve("compiler.sh");
        Files.writeString(wrapper, "#!/bin/sh\nprintf '%s' \"${CCACHE_DISABLE}\" >>disable.value\nexec gcc \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        CacheFixture.Result r = ccache(Map.of("CCACHE_NODIRECT", "1"), "./compiler.sh", "-c", "a.c");
        assertEquals(0, r.exitCode(), r.err());
        String seen = Files.readString(work.resolve("disable.value"));
        assertTrue(seen.matches("1+"), "each run of the wrapper saw CCACHE_DISABLE=1: '" + seen + "'");
        assertEquals(1, cache.stat("cache_miss"), "and the call itself was cached");
    }

    @Test
    void ccacheNamedTwiceBeforeTheCompilerIsNamedOnceAsInCcache() throws Exception {
        compileOk(Map.of(), "a.c");
        CacheFixture.Result twice = ccache(ccache.toString(), "gcc", "-c", "a.c");
        assertEquals(0, twice.exitCode(), twice.err());
        CacheFixture.Result thrice = ccache("ccache", ccache.toString(), "gcc", "-c", "a.c");
        assertEquals(0, thrice.exitCode(), thrice.err());
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals(2, cache.hits(), "the same call each time");
    }

    @Test
    void zeroStatsThenPrintStatsShowsZeros() throws Exception {
        compileOk(Map.of(), "a.c");
        CacheFixture.Result z = ccache("-z");
        assertEquals("Statistics zeroed\n", z.out());
        CacheFixture.Result p = ccache("--print-stats");
        assertEquals(0, p.exitCode(), p.err());
        for (String line : p.out().split("\n")) {
            String[] kv = line.split("\t");
            if (!kv[0].endsWith("_timestamp") && !kv[0].equals("cache_size_kibibyte") && !kv[0].equals("files_in_cache")) {
                assertEquals("0", kv[1], line);
            }
        }
    }

    @Test
    void maxSizeSetByDashMEvictsDownToTheLimit() throws Exception {
        CacheFixture.Result m = ccache("-M", "1M");
        assertEquals("Set cache size limit to 1.0 MB\n", m.out());
        assertTrue(Files.readString(cache.cacheDir.resolve("ccache.conf")).contains("max_size = 1M"));
        Random random = new Random(42);
        for (int i = 0; i < 14; i++) {
            // ~120 kB of incompressible data per object: 14 objects are well over 1 MB.
            StringBuilder src = new StringBuilder("const unsigned char data" + i + "[] = {");
            for (int b = 0; b < 120_000; b++) {
                src.append(random.nextInt(256)).append(',');
            }
            Files.writeString(work.resolve("big" + i + ".c"), src.append("};\n").toString());
            compileOk(Map.of(), "big" + i + ".c");
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        Map<String, Long> s = cache.stats();
        while (s.get("cache_size_kibibyte") * 1024 > 1_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            s = cache.stats();
        }
        assertEquals(14, s.get("cache_miss"));
        assertTrue(s.get("cache_size_kibibyte") * 1024 <= 1_000_000, s.toString());
        assertTrue(s.get("cleanups_performed") > 0, s.toString());
    }

    @Test
    void prefixCommandRunsForMissesOnly() throws Exception {
        Path log = tmp.resolve("prefix.log");
        Path wrapper = tmp.resolve("bin/record");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" >> " + log + "\nexec \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = Map.of("CCACHE_PREFIX", wrapper.toString());
        compileOk(env, "a.c");
        compileOk(env, "a.c");
        List<String> calls = Files.readAllLines(log);
        assertEquals(1, calls.size(), calls.toString());
        assertTrue(calls.get(0).contains("gcc") && calls.get(0).contains("a.c"), calls.toString());
        assertEquals(1, cache.hits());
    }

    @Test
    void disableCompilesWithoutCounting() throws Exception {
        compileOk(Map.of("CCACHE_DISABLE", "1"), "a.c");
        assertTrue(Files.isRegularFile(work.resolve("a.o")));
        assertEquals(0, cache.stat("cache_miss"));
        compileOk(Map.of(), "a.c");
        assertEquals(1, cache.stat("cache_miss"));
    }

    @Test
    void recacheNeverHitsAndStoresAgain() throws Exception {
        compileOk(Map.of(), "a.c");
        compileOk(Map.of("CCACHE_RECACHE", ""), "a.c");
        assertEquals(0, cache.hits());
        assertEquals(1, cache.stat("recache"));
        assertEquals(4, cache.stat("local_storage_write"), "a result and its manifest each time, as ccache counts");
        compileOk(Map.of(), "a.c");
        assertEquals(1, cache.hits());
    }

    @Test
    void readOnlyUsesButNeverStores() throws Exception {
        compileOk(Map.of("CCACHE_READONLY", "1"), "a.c");
        assertEquals(0, cache.stat("local_storage_write"));
        compileOk(Map.of(), "a.c");
        assertEquals(2, cache.stat("cache_miss"));
        compileOk(Map.of("CCACHE_READONLY", "1"), "a.c");
        assertEquals(1, cache.hits());
    }

    @Test
    void timeMacrosHitInDirectModeOnlyWhenSloppy() throws Exception {
        Files.writeString(work.resolve("t.c"), "const char *t(void) { return __TIME__; }\n");
        compileOk(Map.of(), "t.c");
        compileOk(Map.of(), "t.c");
        assertEquals(0, cache.stat("direct_cache_hit"));
        Map<String, String> sloppy = Map.of("CCACHE_SLOPPINESS", "time_macros");
        compileOk(sloppy, "t.c");
        compileOk(sloppy, "t.c");
        assertEquals(1, cache.stat("direct_cache_hit"));
    }

    @Test
    void configOptionsGoThroughTheDaemonAndMatchCcache() throws Exception {
        CacheFixture.Result set = ccache("-o", "max_files=7", "-k", "max_files");
        assertEquals(0, set.exitCode(), set.err());
        assertEquals("7\n", set.out());
        CacheFixture.Result bad = ccache("-k", "nope");
        assertEquals(1, bad.exitCode());
        assertEquals("ccache: error: unknown configuration option \"nope\"\n", bad.err());
        CacheFixture.Result ours = ccache("-p");
        assertTrue(ours.out().contains("(" + cache.cacheDir.resolve("ccache.conf") + ") max_files = 7\n"), ours.out());
        RealCcache.requireInstalled();
        Map<String, String> env = new HashMap<>(cache.env);
        CacheFixture.Result theirs = CacheFixture.run(work, List.of(RealCcache.BINARY.toString(), "-p"), env);
        assertEquals(theirs.out(), ours.out());
    }

    @Test
    void cacheDirFromAConfigFileChoosesTheDaemon() throws Exception {
        Path other = tmp.resolve("other-cache");
        Path conf = tmp.resolve("my.conf");
        Files.writeString(conf, "# ours\n cache_dir = " + other + "\n");
        Map<String, String> env = new HashMap<>(cache.env);
        env.remove("CCACHE_DIR");
        env.put("CCACHE_CONFIGPATH", conf.toString());
        CacheFixture.Result r = CacheFixture.run(work, List.of(ccache.toString(), "gcc", "-c", "a.c"), env);
        assertEquals(0, r.exitCode(), r.err());
        CacheFixture.Result s = CacheFixture.run(work, List.of(ccache.toString(), "--print-stats"), env);
        assertTrue(s.out().contains("cache_miss\t1\n"), s.out());
        assertTrue(Files.isDirectory(other.resolve("db")));
        assertEquals(0, cache.stat("cache_miss"));
        CacheFixture.run(work, List.of(ccache.toString(), "--stop-daemon"), env);
    }

    @Test
    void dirOptionNamesAnotherCache() throws Exception {
        Path other = tmp.resolve("third");
        CacheFixture.Result z = ccache("-d", other.toString(), "-z", "-sv");
        assertEquals(0, z.exitCode(), z.err());
        assertTrue(z.out().contains("Cache directory:    " + other + "\n"), z.out());
        assertTrue(z.out().contains("Config file:        " + other.resolve("ccache.conf") + "\n"), z.out());
        ccache("--dir=" + other, "--stop-daemon");
    }

    @Test
    void logFileHasALinePerCallAndStatsLogFeedsShowLogStats() throws Exception {
        Path log = tmp.resolve("cc.log");
        Path statsLog = tmp.resolve("stats.log");
        Map<String, String> env = Map.of("CCACHE_LOGFILE", log.toString(), "CCACHE_STATSLOG", statsLog.toString());
        compileOk(env, "a.c");
        compileOk(env, "a.c");
        assertEquals(0, ccache(env, "gcc", "-E", "a.c").exitCode());
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("gcc -c a.c => miss"), lines.get(0));
        assertTrue(lines.get(1).endsWith("=> hit (direct)"), lines.get(1));
        assertTrue(lines.get(2).contains("=> not cacheable: called_for_preprocessing"), lines.get(2));
        String stats = Files.readString(statsLog);
        assertTrue(stats.startsWith("# a.c\n"), stats);
        assertTrue(stats.contains("\ncache_miss\n") && stats.contains("\ndirect_cache_hit\n")
                && stats.endsWith("# a.c\ncalled_for_preprocessing\n"), stats);
        CacheFixture.Result shown = ccache(env, "--show-log-stats");
        assertEquals(0, shown.exitCode(), shown.err());
        assertTrue(shown.out().startsWith("Cacheable calls:"), shown.out());
        assertTrue(shown.out().contains("Uncacheable calls:    1 /    3 (33.33%)\n"), shown.out()); // ccache: 1 / 3 (33.33%)
        CacheFixture.Result none = ccache("--show-log-stats");
        assertEquals(1, none.exitCode());
        assertEquals("ccache: error: No stats log has been configured\n", none.err());
    }

    /** A script named {@code name} in {@code dir} that logs its arguments to {@code log} and runs gcc. */
    private static Path recordingCompiler(Path dir, String name, Path log) throws Exception {
        Files.createDirectories(dir);
        Path w = dir.resolve(name);
        Files.writeString(w, "#!/bin/sh\necho \"$@\" >> " + log + "\nexec /usr/bin/gcc \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return w;
    }

    @Test
    void pathChoosesTheCompilerForCachedAndUncacheableCalls() throws Exception {
        Path log = tmp.resolve("path.log");
        Path tools = tmp.resolve("tools");
        recordingCompiler(tools, "gcc", log);
        Map<String, String> env = Map.of("CCACHE_PATH", tools.toString());
        compileOk(env, "a.c"); // a miss: compiled by tools/gcc
        compileOk(env, "a.c"); // a hit: no compiler at all
        Files.writeString(work.resolve("m.c"), "int main(void) { return 0; }\n");
        CacheFixture.Result link = ccache(env, "gcc", "m.c", "-o", "m"); // not cacheable: run by the client
        assertEquals(0, link.exitCode(), link.err());
        assertTrue(Files.isExecutable(work.resolve("m")));
        // the miss ran tools/gcc (to preprocess, probe and compile); the hit ran nothing; the
        // uncacheable link was run by the client, with tools/gcc too (the compile with gcc's
        // colour option last, as ccache runs it)
        List<String> calls = Files.readAllLines(log);
        assertEquals(1, calls.stream().filter(c -> c.equals("-c a.c -fdiagnostics-color")).count(), calls.toString());
        assertEquals("m.c -o m", calls.get(calls.size() - 1), calls.toString());
        assertEquals(1, calls.stream().filter(c -> c.contains("m.c")).count(), calls.toString());
        assertEquals(1, cache.hits());
    }

    @Test
    void compilerSettingRunsTheNamedCompilerEvenWhenNotCacheable() throws Exception {
        Path log = tmp.resolve("compiler.log");
        Path mycc = recordingCompiler(tmp.resolve("tools"), "mycc", log);
        Map<String, String> env = Map.of("CCACHE_COMPILER", mycc.toString());
        compileOk(env, "a.c");
        Files.writeString(work.resolve("m.c"), "int main(void) { return 0; }\n");
        assertEquals(0, ccache(env, "gcc", "m.c", "-o", "m").exitCode());
        List<String> calls = Files.readAllLines(log);
        assertTrue(calls.contains("-c a.c"), calls.toString());
        assertEquals("m.c -o m", calls.get(calls.size() - 1), calls.toString());
    }

    @Test
    void baseDirThroughTheCcacheLinkSharesHitsBetweenCheckouts() throws Exception {
        for (String co : List.of("one", "two")) {
            Path src = Files.createDirectories(tmp.resolve(co + "/src"));
            Files.createDirectories(tmp.resolve(co + "/include"));
            Files.writeString(tmp.resolve(co + "/include/conf.h"), "#define K 3\n");
            Files.writeString(src.resolve("k.c"), "#include \"conf.h\"\nint k(void) { return K; }\n");
        }
        CacheFixture.backdate(tmp.resolve("one"), tmp.resolve("two"));
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_BASEDIR", tmp.toString());
        byte[] first = null;
        for (String co : List.of("one", "two")) {
            Path src = tmp.resolve(co + "/src");
            CacheFixture.Result r = CacheFixture.run(src, List.of(ccache.toString(), "gcc", "-c",
                    src.resolve("k.c").toString(), "-I" + tmp.resolve(co + "/include"), "-o", "k.o"), env);
            assertEquals(0, r.exitCode(), r.err());
            byte[] obj = Files.readAllBytes(src.resolve("k.o"));
            if (first == null) {
                first = obj;
            } else {
                org.junit.jupiter.api.Assertions.assertArrayEquals(first, obj);
            }
        }
        assertEquals(1, cache.stat("direct_cache_hit"), "the second checkout hits the first one's result");
        // without base_dir the absolute paths differ: no sharing
        Path src = tmp.resolve("two/src");
        Files.delete(src.resolve("k.o"));
        CacheFixture.Result r = CacheFixture.run(src, List.of(ccache.toString(), "gcc", "-c",
                src.resolve("k.c").toString(), "-I" + tmp.resolve("two/include"), "-o", "k.o"), cache.env);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(1, cache.stat("direct_cache_hit"));
    }

    @Test
    void hashFileAndChecksumFileMatchTheRealCcache() throws Exception {
        RealCcache.requireInstalled();
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        Files.write(work.resolve("blob.bin"), data);
        for (String opt : List.of("--hash-file", "--checksum-file")) {
            for (String file : List.of("a.c", "blob.bin")) {
                String ours = ccache(opt, file).out();
                String theirs = CacheFixture.run(work, List.of("/usr/bin/ccache", opt, file), cache.env).out();
                assertEquals(theirs, ours, opt + " " + file);
                assertTrue(ours.matches("[0-9a-v]{32,33}\n"), ours);
            }
            String stdinOurs = CacheFixture.run(work, List.of("sh", "-c", ccache + " " + opt + " - < blob.bin"), cache.env).out();
            String stdinTheirs = CacheFixture.run(work, List.of("sh", "-c", "/usr/bin/ccache " + opt + " - < blob.bin"),
                    cache.env).out();
            assertEquals(stdinTheirs, stdinOurs, opt + " -");
            String pipedOurs = CacheFixture.run(work, List.of("sh", "-c", "cat a.c | " + ccache + " " + opt + " -"), cache.env).out();
            assertEquals(ccache(opt, "a.c").out(), pipedOurs, opt + " - from a pipe");
        }
        CacheFixture.Result missing = ccache("--hash-file", "absent");
        CacheFixture.Result real = CacheFixture.run(work, List.of("/usr/bin/ccache", "--hash-file", "absent"), cache.env);
        assertEquals(real.exitCode(), missing.exitCode());
        assertEquals(real.err(), missing.err());
        CacheFixture.Result missingSum = ccache("--checksum-file", "absent");
        CacheFixture.Result realSum = CacheFixture.run(work, List.of("/usr/bin/ccache", "--checksum-file", "absent"), cache.env);
        assertEquals(realSum.exitCode(), missingSum.exitCode());
        assertEquals(realSum.err(), missingSum.err());
    }

    @Test
    void keepCommentsCppMakesACommentEditAMissInPreprocessorMode() throws Exception {
        Map<String, String> cpp = Map.of("CCACHE_NODIRECT", "1");
        Files.writeString(work.resolve("c.c"), "int c(int x) { return x * 2; } /* one */\n");
        compileOk(cpp, "c.c");
        Files.writeString(work.resolve("c.c"), "int c(int x) { return x * 2; } /* two */\n");
        compileOk(cpp, "c.c");
        assertEquals(1, cache.stat("preprocessed_cache_hit"), "comments are not in the preprocessed text");
        Map<String, String> comments = Map.of("CCACHE_NODIRECT", "1", "CCACHE_COMMENTS", "1");
        compileOk(comments, "c.c");
        Files.writeString(work.resolve("c.c"), "int c(int x) { return x * 2; } /* three */\n");
        compileOk(comments, "c.c");
        assertEquals(1, cache.stat("preprocessed_cache_hit"), "with keep_comments_cpp a comment edit is a miss");
        compileOk(comments, "c.c");
        assertEquals(2, cache.stat("preprocessed_cache_hit"));
    }

    @Test
    void ignoredHeadersAreNotCheckedByDirectLookups() throws Exception {
        Path gen = Files.createDirectories(work.resolve("gen"));
        Files.writeString(gen.resolve("stamp.h"), "#define STAMP 1\n");
        Files.writeString(work.resolve("s.c"), "#include \"gen/stamp.h\"\nint s(void) { return STAMP; }\n");
        CacheFixture.backdate(work);
        Map<String, String> env = Map.of("CCACHE_IGNOREHEADERS", gen.toString());
        compileOk(env, "s.c");
        Thread.sleep(1100); // a different mtime second, as a build tool would see it
        Files.writeString(gen.resolve("stamp.h"), "#define STAMP 2\n");
        compileOk(env, "s.c");
        assertEquals(1, cache.stat("direct_cache_hit"), "the edited header is ignored, as ccache does");
        // a header that is not ignored is still checked
        Files.writeString(work.resolve("t.h"), "#define T 1\n");
        Files.writeString(work.resolve("t.c"), "#include \"t.h\"\nint t(void) { return T; }\n");
        CacheFixture.backdate(work.resolve("t.h"), work.resolve("t.c"));
        compileOk(env, "t.c");
        Thread.sleep(1100);
        Files.writeString(work.resolve("t.h"), "#define T 2\n");
        compileOk(env, "t.c");
        assertEquals(1, cache.stat("direct_cache_hit"));
    }

    @Test
    void ccacheSkipReachesTheCompilerUninterpretedAndIsDroppedEvenForALink() throws Exception {
        CacheFixture.Result c = ccache("gcc", "--ccache-skip", "-DSKIPPED=1", "-c", "a.c");
        assertEquals(0, c.exitCode(), c.err());
        Files.writeString(work.resolve("m.c"), "int main(void) { return 0; }\n");
        CacheFixture.Result link = ccache("gcc", "--ccache-skip", "-DX=1", "m.c", "-o", "m");
        assertEquals(0, link.exitCode(), link.err());
        assertTrue(Files.isExecutable(work.resolve("m")));
    }
}
