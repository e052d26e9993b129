package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A miss and a hit through {@code cache} must be indistinguishable from running the compiler
 * directly: every output file byte for byte, stdout, stderr and the exit code. Each case runs
 * the plain compiler, then {@code cache} twice (miss, hit) in the same directory, because
 * debug information embeds the directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class HitFidelityIT {

    @TempDir
    static Path tmp;

    private CacheFixture cache;
    private Path work;

    @BeforeAll
    void setUp() throws Exception {
        cache = new CacheFixture(tmp);
        work = Files.createDirectories(tmp.resolve("src"));
        Files.createDirectories(work.resolve("inc"));
        Files.createDirectories(work.resolve("obj"));
        Files.writeString(work.resolve("inc/config.h"), "#define SCALE 3\nstatic inline int scale(int v) { return v * SCALE; }\n");
        Files.writeString(work.resolve("x.c"), """
                #include <stdio.h>
                #include <string.h>
                #include "config.h"
                #define TWICE(x) ((x) + (x))
                int table[16];
                int compute(int n) {
                    int s = 0;
                    for (int i = 0; i < n; i++) s += TWICE(scale(i)) + (int) strlen("abc");
                    return s;
                }
                int main(void) { printf("%d\\n", compute(10)); return 0; }
                """);
        Files.writeString(work.resolve("warn.c"), """
                int f(int x) {
                    int unused;
                    if (x = 3) return 1;
                    return 0;
                }
                """);
        Files.writeString(work.resolve("y.cpp"), """
                #include <vector>
                #include <string>
                #include <map>
                std::map<std::string, int> count(const std::vector<std::string>& words) {
                    std::map<std::string, int> m;
                    for (const auto& w : words) m[w]++;
                    return m;
                }
                """);
    }

    @AfterAll
    void tearDown() throws Exception {
        cache.close();
    }

    /**
     * gcc stamps .gcno files and the matching objects with the time unless -frandom-seed is
     * given, so two plain --coverage compiles differ; the seed makes the comparison meaningful.
     */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String cc : Compilers.cCompilers()) {
            String cxx = Compilers.cxxFor(cc);
            out.add(Arguments.of(cc, "-O2 -Iinc -c x.c -o x.o", "x.o"));
            out.add(Arguments.of(cc, "-c x.c -Iinc", "x.o"));
            out.add(Arguments.of(cc, "-g -O0 -Iinc -c x.c -o obj/x.o -MD -MF obj/x.d -MT obj/x.o", "obj/x.o obj/x.d"));
            out.add(Arguments.of(cc, "-g -Iinc -c x.c -o obj/x.o -MMD -MP", "obj/x.o obj/x.d"));
            out.add(Arguments.of(cc, "-Iinc -c x.c -o x.o -Wp,-MD,.x.o.d", "x.o .x.o.d"));
            out.add(Arguments.of(cc, "-Iinc -MD -c x.c", "x.o x.d"));
            out.add(Arguments.of(cc, "-Wall -Wextra -c warn.c -o warn.o", "warn.o"));
            out.add(Arguments.of(cc, "-S -O2 -Iinc x.c -o x.s", "x.s"));
            out.add(Arguments.of(cc, "--coverage -frandom-seed=cov -Iinc -c x.c -o obj/cov.o", "obj/cov.o obj/cov.gcno"));
            out.add(Arguments.of(cc, "-g -gsplit-dwarf -Iinc -c x.c -o obj/split.o", "obj/split.o obj/split.dwo"));
            out.add(Arguments.of(cc, "-g3 -DEXTRA=1 -Iinc -c x.c -o x.o", "x.o"));
            out.add(Arguments.of(cxx, "-std=c++17 -O1 -g -c y.cpp -o obj/y.o -MD", "obj/y.o obj/y.d"));
        }
        out.add(Arguments.of("gcc", "-fstack-usage -Iinc -c x.c -o obj/su.o", "obj/su.o obj/su.su"));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void missAndHitMatchPlainCompile(String compiler, String flags, String outputs) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(flags.split(" ")));
        List<String> files = Arrays.asList(outputs.split(" "));

        List<String> plainCmd = new ArrayList<>(List.of(compiler));
        plainCmd.addAll(args);
        CacheFixture.Result plain = cache.run(work, plainCmd);
        Map<String, byte[]> expected = take(files);

        long hitsBefore = cache.stat("preprocessed_cache_hit") + cache.stat("direct_cache_hit");
        List<String> cachedCmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), compiler));
        cachedCmd.addAll(args);
        for (String phase : List.of("miss", "hit")) {
            CacheFixture.Result r = cache.run(work, cachedCmd);
            assertEquals(plain.exitCode(), r.exitCode(), phase + ": exit code");
            assertEquals(plain.out(), r.out(), phase + ": stdout");
            assertEquals(plain.err(), r.err(), phase + ": stderr");
            Map<String, byte[]> got = take(files);
            for (String f : files) {
                assertArrayEquals(expected.get(f), got.get(f), phase + ": contents of " + f);
            }
        }
        assertEquals(hitsBefore + 1, cache.stat("preprocessed_cache_hit") + cache.stat("direct_cache_hit"),
                "the second call must be a hit");
    }

    /** Reads and deletes the named outputs, so the next run must produce them again. */
    private Map<String, byte[]> take(List<String> files) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String f : files) {
            Path p = work.resolve(f);
            assertTrue(Files.exists(p), "missing output " + f);
            m.put(f, Files.readAllBytes(p));
            Files.delete(p);
        }
        return m;
    }
}
