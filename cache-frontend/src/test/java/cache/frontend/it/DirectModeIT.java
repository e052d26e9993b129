package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Direct mode with real compilers: hits without a preprocessor run, and never a stale hit —
 * edited headers, and new headers that shadow old ones from an earlier include directory.
 */
@Timeout(300)
class DirectModeIT extends CacheWorkDir {

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(work.resolve("inc"));
        Files.createDirectories(work.resolve("early"));
        Files.createDirectories(work.resolve("obj"));
        Files.writeString(work.resolve("inc/conf.h"), "#define LEVEL 1\n");
        Files.writeString(work.resolve("inc/util.h"), "#include \"conf.h\"\nstatic inline int level(void) { return LEVEL; }\n");
        Files.writeString(work.resolve("m.c"), "#include <stdio.h>\n#include <util.h>\nint f(void) { return level(); }\n");
        // Files must be older than the "modified during the build" window to be recorded.
        ageAll();
    }

    private void ageAll() throws Exception {
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(10)));
            }
        }
        Thread.sleep(150); // the ctime moved with setLastModifiedTime: let it age past the window too
    }

    /** Runs plain then cached; compares object and .d; returns the kind of hit (direct, preprocessed, none). */
    private String compile(String cc, String flags) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(flags.split(" ")));
        List<String> plain = new ArrayList<>(List.of(cc));
        plain.addAll(args);
        assertEquals(0, cache.run(work, plain).exitCode());
        byte[] obj = Files.readAllBytes(work.resolve("obj/m.o"));
        byte[] dep = Files.readAllBytes(work.resolve("obj/m.d"));
        Files.delete(work.resolve("obj/m.o"));
        Files.delete(work.resolve("obj/m.d"));
        long direct = cache.stat("direct_cache_hit");
        long pre = cache.stat("preprocessed_cache_hit");
        List<String> cached = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), cc));
        cached.addAll(args);
        CacheFixture.Result r = cache.run(work, cached);
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(obj, Files.readAllBytes(work.resolve("obj/m.o")), "object");
        assertArrayEquals(dep, Files.readAllBytes(work.resolve("obj/m.d")), ".d file");
        if (cache.stat("direct_cache_hit") > direct) {
            return "direct";
        }
        return cache.stat("preprocessed_cache_hit") > pre ? "preprocessed" : "none";
    }

    private static final String FLAGS = "-O2 -g -Iearly -Iinc -c m.c -o obj/m.o -MD -MF obj/m.d -MT obj/m.o";

    @ParameterizedTest
    @MethodSource("compilers")
    void editedHeaderMissesTouchedHeaderHits(String cc) throws Exception {
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS));
        Files.writeString(work.resolve("inc/conf.h"), "#define LEVEL 2\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS));
        Files.setLastModifiedTime(work.resolve("inc/conf.h"), FileTime.from(Instant.now().minusSeconds(2)));
        Thread.sleep(150);
        assertEquals("direct", compile(cc, FLAGS), "touched but unchanged");
    }

    /**
     * A header written just before a call (here: before the plain compile that precedes the cached
     * one, tens of milliseconds) was written in an earlier tick of the clock that stamps files than
     * the client's start, so the call records it, as ccache does: the next call is a direct hit.
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void aHeaderWrittenJustBeforeACallIsRememberedByIt(String cc) throws Exception {
        assertEquals("none", compile(cc, FLAGS));
        Files.writeString(work.resolve("inc/conf.h"), "#define LEVEL 2\n");
        assertEquals("none", compile(cc, FLAGS), "no sleep, no back-dating: recorded now");
        assertEquals("direct", compile(cc, FLAGS));
    }

    /**
     * A source stamped after the call's start, as a file written in the very clock tick the call
     * starts in looks to it (here: stamped 40 ms ahead, so that every run sees it; a generator or
     * a test writing the file just before the compile meets it by chance), is looked up, and once
     * the coarse clock has passed its stamp before the preprocessor starts, it is remembered: the
     * next call is a direct hit, with gcc's own object and .d file. Such a call used to keep no
     * manifest (ccache's own suites write their sources right before compiling them).
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void aSourceStampedAfterTheCallStartedIsRememberedOnceTheClockPassesIt(String cc) throws Exception {
        Path src = work.resolve("m.c");
        Files.writeString(src, "#include <stdio.h>\n#include <util.h>\nint f(void) { return level() + 40; }\n");
        Files.setLastModifiedTime(src, FileTime.from(Instant.now().plusMillis(40)));
        List<String> cached = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), cc));
        cached.addAll(Arrays.asList(FLAGS.split(" ")));
        CacheFixture.Result first = cache.run(work, cached);
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(1, cache.stat("direct_cache_miss"), "looked up in direct mode, though stamped after its start");
        assertEquals("direct", compile(cc, FLAGS));
    }

    /**
     * A header rewritten (same size) after the compiler read it, before the daemon records the
     * call, must never be remembered with the object of its old contents: its stamps are after
     * the client's clock, so the manifest leaves the call out. The "compiler" is gcc followed by
     * the rewrite, so every cached call sees it happen.
     */
    @org.junit.jupiter.api.Test
    void aHeaderRewrittenWhileTheCallRunsIsNeverRemembered() throws Exception {
        Path conf = work.resolve("inc/conf.h");
        Path wrapper = work.resolve("gcc-then-edit");
        Files.writeString(wrapper, "#!/bin/sh\n/usr/bin/gcc \"$@\" || exit $?\n"
                + "case \" $* \" in *\" -E \"*) ;; *\" -c \"*) printf '#define LEVEL 3\\n' > '" + conf + "' ;; esac\n");
        wrapper.toFile().setExecutable(true);
        ageAll();
        List<String> cached = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), wrapper.toString()));
        cached.addAll(Arrays.asList(FLAGS.split(" ")));
        CacheFixture.Result first = cache.run(work, cached);
        assertEquals(0, first.exitCode(), first.err());
        assertEquals("#define LEVEL 3\n", Files.readString(conf), "the wrapper rewrote the header after compiling");
        long direct = cache.stat("direct_cache_hit");
        CacheFixture.Result second = cache.run(work, cached);
        assertEquals(0, second.exitCode(), second.err());
        byte[] got = Files.readAllBytes(work.resolve("obj/m.o"));
        assertEquals(direct, cache.stat("direct_cache_hit"), "no direct hit from a manifest of the old contents");
        List<String> plain = new ArrayList<>(List.of("/usr/bin/gcc"));
        plain.addAll(Arrays.asList(FLAGS.split(" ")));
        assertEquals(0, cache.run(work, plain).exitCode());
        assertArrayEquals(Files.readAllBytes(work.resolve("obj/m.o")), got, "the object of LEVEL 3, as gcc makes it");
    }

    /**
     * Warm direct hits answer their headers from inotify's silence (FileWatch), and every way a
     * header can change between two calls is still seen: an edit in place of the same size, a
     * new version renamed over it, a write through a hard link elsewhere, a shadowing header in
     * an earlier directory, an include directory that is a symbolic link pointed elsewhere. Each
     * call's object is compared with plain gcc's; the daemon's closing log line shows that the
     * stats were answered from memory (the watch was in the path, not the stat fallback).
     */
    @Test
    void warmHitsSeeEveryChangeThroughChangeNotification() throws Exception {
        Files.createDirectories(work.resolve("v1"));
        Files.createDirectories(work.resolve("v2"));
        Files.writeString(work.resolve("v1/ver.h"), "#define VER 1\n");
        Files.writeString(work.resolve("v2/ver.h"), "#define VER 2\n");
        Files.createSymbolicLink(work.resolve("cur"), Path.of("v1"));
        Files.writeString(work.resolve("m.c"),
                "#include <stdio.h>\n#include <util.h>\n#include <ver.h>\nint f(void) { return level() + VER; }\n");
        ageAll();
        String flags = "-O2 -g -Iearly -Iinc -Icur -c m.c -o obj/m.o -MD -MF obj/m.d -MT obj/m.o";
        String cc = "gcc";
        assertEquals("none", compile(cc, flags));
        for (int i = 0; i < 3; i++) {
            assertEquals("direct", compile(cc, flags));
        }
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(work.resolve("inc/conf.h").toFile(), "rw")) {
            f.seek("#define LEVEL ".length());
            f.write('7'); // same size, in place
        }
        assertEquals("none", compile(cc, flags), "edited in place");
        assertEquals("direct", compile(cc, flags));
        Path fresh = work.resolve("inc/conf.h.new");
        Files.writeString(fresh, "#define LEVEL 8\n");
        Files.move(fresh, work.resolve("inc/conf.h"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals("none", compile(cc, flags), "renamed over");
        assertEquals("direct", compile(cc, flags));
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        Files.createLink(elsewhere.resolve("alias.h"), work.resolve("inc/conf.h"));
        Files.writeString(elsewhere.resolve("alias.h"), "#define LEVEL 9\n");
        assertEquals("none", compile(cc, flags), "written through a hard link in another directory");
        assertEquals("direct", compile(cc, flags));
        Files.writeString(work.resolve("early/ver.h"), "#define VER 5\n");
        assertEquals("none", compile(cc, flags), "shadowed from an earlier directory");
        Files.delete(work.resolve("early/ver.h"));
        assertEquals("direct", compile(cc, flags), "the shadow gone: the earlier result again");
        Path next = Files.createSymbolicLink(work.resolve("cur.new"), Path.of("v2"));
        Files.move(next, work.resolve("cur"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals("none", compile(cc, flags), "the include directory's link now points at v2");
        assertEquals("direct", compile(cc, flags));
        cache.stopDaemon();
        String log = Files.readString(cache.runtimeDir.resolve("cache/d.log"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("file watch: (\\d+) stats answered from memory")
                .matcher(log);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), "the daemon's closing line: " + log);
        org.junit.jupiter.api.Assertions.assertTrue(Long.parseLong(m.group(1)) > 0, m.group());
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void newHeaderInAnEarlierDirectoryShadowsTheOldOne(String cc) throws Exception {
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS));
        // <util.h> was found in inc/; early/ comes first on the -I list.
        Files.writeString(work.resolve("early/util.h"), "static inline int level(void) { return 42; }\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS), "the shadowing header must be a miss, with the new object");
        assertEquals("direct", compile(cc, FLAGS), "the new result was recorded");
        Files.delete(work.resolve("early/util.h"));
        Thread.sleep(150);
        assertEquals("direct", compile(cc, FLAGS), "back to the first result");
    }

    /**
     * A precompiled header that appears beside a header is read by the compiler instead of the
     * header's text, and the preprocessor output does not show it: such a call must not be a
     * hit (it was one, with the old object), and is not cached at all (as in ccache).
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void aPrecompiledHeaderThatAppearsIsNeverAnsweredFromTheCache(String cc) throws Exception {
        Files.writeString(work.resolve("m.c"), "int f(void) { return level(); }\n");
        Files.writeString(work.resolve("pch-src.h"), "static inline int level(void) { return 42; }\n");
        ageAll();
        String flags = "-O2 -Iearly -Iinc -include util.h -c m.c -o obj/m.o -MD -MF obj/m.d -MT obj/m.o";
        assertEquals("none", compile(cc, flags));
        assertEquals("direct", compile(cc, flags));
        byte[] before = Files.readAllBytes(work.resolve("obj/m.o"));
        // gcc looks for util.h.gch, clang's driver for util.h.pch, in the working directory first for -include
        String pch = cc.equals("gcc") ? "util.h.gch" : "util.h.pch";
        CacheFixture.Result built = cache.run(work, List.of(cc, "-O2", "-x", "c-header", "pch-src.h", "-o", pch));
        assertEquals(0, built.exitCode(), built.err());
        Thread.sleep(150);
        assertEquals("none", compile(cc, flags), "not a hit: the compiler reads " + pch);
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(work.resolve("obj/m.o"))),
                "the compiler used the precompiled header (else this test shows nothing)");
        assertEquals("none", compile(cc, flags), "and not cached");
        assertEquals(2, cache.stat("could_not_use_precompiled_header"));
    }

    /**
     * gcc reads {@code util.h.gch} from an earlier {@code -I} directory instead of {@code
     * util.h} when the main file includes it before its first token: never served from the
     * cache. Included after the first token, gcc ignores the {@code .gch} (GCC manual, "Using
     * Precompiled Headers"), so that call is cached like any other.
     */
    @Test
    void aGchInAnEarlierIncludeDirectoryIsDetectedOnlyWhereGccCanUseIt() throws Exception {
        Files.writeString(work.resolve("pch-src.h"), "static inline int level(void) { return 42; }\n");
        CacheFixture.Result built = cache.run(work, List.of("gcc", "-O2", "-x", "c-header", "pch-src.h", "-o",
                "early/util.h.gch"));
        assertEquals(0, built.exitCode(), built.err());
        Files.writeString(work.resolve("m.c"), "#include \"util.h\"\nint f(void) { return level(); }\n");
        ageAll();
        assertEquals("none", compile("gcc", FLAGS));
        assertEquals("none", compile("gcc", FLAGS), "not cached: gcc reads early/util.h.gch");
        assertEquals(2, cache.stat("could_not_use_precompiled_header"));
        assertEquals(0, cache.stat("cache_miss"));

        Files.writeString(work.resolve("m.c"), "int before;\n#include \"util.h\"\nint f(void) { return level(); }\n");
        ageAll();
        assertEquals("none", compile("gcc", FLAGS));
        assertEquals("direct", compile("gcc", FLAGS), "after the first token the .gch is not used: cached");
        assertEquals(2, cache.stat("could_not_use_precompiled_header"));
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void quoteIncludeShadowedNextToTheIncluder(String cc) throws Exception {
        Files.writeString(work.resolve("m.c"), "#include \"conf.h\"\nint f(void) { return LEVEL; }\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS));
        Files.writeString(work.resolve("conf.h"), "#define LEVEL 7\n"); // the includer's directory is searched first
        ageAll();
        assertEquals("none", compile(cc, FLAGS));
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void timeMacros(String cc) throws Exception {
        Files.writeString(work.resolve("m.c"), "const char *d = __DATE__;\nint f(void) { return 1; }\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS), "__DATE__ hashes today's date");
        // __TIME__: no byte comparison with a plain compile (a second apart they differ).
        Files.writeString(work.resolve("m.c"), "const char *t = __TIME__;\nint f(void) { return 1; }\n");
        ageAll();
        List<String> cached = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), cc));
        cached.addAll(Arrays.asList(FLAGS.split(" ")));
        long direct = cache.stat("direct_cache_hit");
        for (int i = 0; i < 2; i++) {
            assertEquals(0, cache.run(work, cached).exitCode());
            Thread.sleep(1100);
        }
        assertEquals(direct, cache.stat("direct_cache_hit"), "__TIME__ never hits in direct mode");
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void hasIncludeInAProjectHeaderIsNeverServedFromAManifest(String cc) throws Exception {
        Files.writeString(work.resolve("inc/conf.h"),
                "#if __has_include(\"extra.h\")\n#include \"extra.h\"\n#else\n#define LEVEL 1\n#endif\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS));
        assertEquals("preprocessed", compile(cc, FLAGS));
        Files.writeString(work.resolve("inc/extra.h"), "#define LEVEL 99\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS), "the new file changes the preprocessed text");
    }

    /**
     * A header included a second time is skipped by the include guard (or {@code #pragma once})
     * and leaves no trace in the preprocessor output; a new file next to that second includer
     * would still be picked up by it. Every includer's directory is a shadowing candidate.
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void shadowingASecondGuardedIncludeFromAnotherDirectory(String cc) throws Exception {
        for (String guard : List.of("#pragma once\n", "#ifndef CONF_H\n#define CONF_H\n")) {
            String end = guard.startsWith("#ifndef") ? "#endif\n" : "";
            Files.createDirectories(work.resolve("sub"));
            Files.writeString(work.resolve("inc/conf.h"), guard + "#define LEVEL 1\n" + end);
            Files.writeString(work.resolve("sub/y.h"), "#include \"conf.h\"\nstatic int y = LEVEL;\n");
            Files.writeString(work.resolve("m.c"), "#include \"conf.h\"\n#include \"sub/y.h\"\nint f(void) { return y; }\n");
            Files.deleteIfExists(work.resolve("sub/conf.h"));
            ageAll();
            compile(cc, FLAGS);
            assertEquals("direct", compile(cc, FLAGS));
            // sub/y.h's #include "conf.h" now finds sub/conf.h first.
            Files.writeString(work.resolve("sub/conf.h"), "#define LEVEL 5\n");
            ageAll();
            assertEquals("none", compile(cc, FLAGS), "a new header next to the second includer: " + guard);
        }
    }

    /** depend_mode: misses never run the preprocessor; the .d file's headers key the result. */
    @ParameterizedTest
    @MethodSource("compilers")
    void dependModeNeverPreprocessesAndStaysSafe(String cc) throws Exception {
        cache.env.put("CCACHE_DEPEND", "1");
        assertEquals("none", compile(cc, FLAGS));
        assertEquals(0, cache.stat("preprocessed_cache_miss"), "no preprocessor run on a depend-mode miss");
        assertEquals(1, cache.stat("cache_miss"));
        assertEquals("direct", compile(cc, FLAGS));
        Files.writeString(work.resolve("inc/conf.h"), "#define LEVEL 4\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS), "edited header");
        assertEquals("direct", compile(cc, FLAGS));
        Files.writeString(work.resolve("early/util.h"), "static inline int level(void) { return 43; }\n");
        ageAll();
        assertEquals("none", compile(cc, FLAGS), "a new header shadowing one listed in the .d file");
        assertEquals("direct", compile(cc, FLAGS));
        assertEquals(0, cache.stat("preprocessed_cache_miss"));
        // -MMD leaves system headers out of the .d file: such calls take the preprocessor route.
        String mmd = FLAGS.replace("-MD", "-MMD");
        assertEquals("none", compile(cc, mmd));
        assertEquals(1, cache.stat("preprocessed_cache_miss"));
    }

    /** debug: each call writes its key inputs as text next to the object; a diff shows why one missed. */
    @ParameterizedTest
    @MethodSource("compilers")
    void debugWritesKeyInputsNextToTheObject(String cc) throws Exception {
        cache.env.put("CCACHE_DEBUG", "1");
        compile(cc, FLAGS);
        Thread.sleep(5);
        compile(cc, FLAGS.replace("-O2", "-O1"));
        List<Path> direct;
        try (Stream<Path> s = Files.list(work.resolve("obj"))) {
            direct = s.filter(p -> p.getFileName().toString().endsWith(".cache-key-direct.txt")).sorted().toList();
        }
        assertEquals(2, direct.size(), direct.toString());
        List<String> first = Files.readAllLines(direct.get(0));
        List<String> second = Files.readAllLines(direct.get(1));
        List<String> onlyFirst = new ArrayList<>(first);
        onlyFirst.removeAll(second);
        org.junit.jupiter.api.Assertions.assertTrue(onlyFirst.stream().anyMatch(l -> l.contains("-O2")), onlyFirst.toString());
        try (Stream<Path> s = Files.list(work.resolve("obj"))) {
            org.junit.jupiter.api.Assertions.assertTrue(s.anyMatch(p -> p.toString().endsWith(".cache-input-cpp.i")),
                    "the preprocessed text of a miss is kept too");
        }
    }

    /**
     * Issue 22: 8 clients at once compile one source to different object names, as parallel
     * builds and test harnesses do; the next round (new names again) is answered from direct
     * mode. Output names were in the direct key, so each name had its own manifest and every
     * later call fell through to the preprocessor (0 direct hits of 360).
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void parallelCompilesToManyObjectNamesShareOneManifest(String cc) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        long directBefore = 0;
        try {
            for (int round = 0; round < 2; round++) {
                directBefore = cache.stat("direct_cache_hit");
                List<java.util.concurrent.Future<CacheFixture.Result>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String obj = "obj/r" + round + "-" + i + ".o";
                    runs.add(pool.submit(() -> cache.run(work, List.of(CacheFixture.CLIENT.toString(), cc, "-O2",
                            "-Iinc", "-c", "m.c", "-o", obj))));
                }
                for (java.util.concurrent.Future<CacheFixture.Result> f : runs) {
                    assertEquals(0, f.get().exitCode(), f.get().err());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        byte[] first = Files.readAllBytes(work.resolve("obj/r0-0.o"));
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(first, Files.readAllBytes(work.resolve("obj/r1-" + i + ".o")));
        }
        assertEquals(8, cache.stat("direct_cache_hit") - directBefore, "the whole second round");
        assertEquals(1, cache.stat("cache_miss"));
    }

    /**
     * A result found in preprocessor mode is added to the manifest, as ccache does: an entry
     * stored while direct mode was off is a preprocessed hit once, then a direct hit.
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void aPreprocessedHitIsRecordedForDirectMode(String cc) throws Exception {
        cache.env.put("CCACHE_NODIRECT", "1");
        assertEquals("none", compile(cc, FLAGS));
        cache.env.remove("CCACHE_NODIRECT");
        assertEquals("preprocessed", compile(cc, FLAGS));
        assertEquals("direct", compile(cc, FLAGS));
    }
}
