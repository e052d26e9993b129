package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * Issue 16, ccache 4.7's dependency-file rules with real compilers: the rule target of a
 * {@code .d} (the object path, or what {@code -MT}/{@code -MQ} name) is not in the key and is
 * rewritten on a hit, byte for byte what the compiler writes for that target, long targets
 * wrapped as the compiler wraps them; {@code -Wp,-D} is keyed as {@code -D}; a {@code .s}
 * with {@code -MD} has no {@code .d} and is served in direct mode; {@code -MF /dev/null} results
 * never give a {@code .d} to a call that wants one.
 */
@Timeout(300)
class DependencyTargetIT extends CacheWorkDir {

    static Stream<String> compilers() {
        return Compilers.cCompilers().stream();
    }

    @BeforeEach
    void setUp() throws Exception {
        Path deep = Files.createDirectories(work.resolve("a/rather/long/directory/name/for/the/headers"));
        for (int i = 1; i <= 3; i++) {
            Files.writeString(deep.resolve("header_number_" + i + ".h"), "int h" + i + ";\n");
        }
        Files.writeString(work.resolve("t.c"), "#include \"a/rather/long/directory/name/for/the/headers/header_number_1.h\"\n"
                + "#include \"a/rather/long/directory/name/for/the/headers/header_number_2.h\"\n"
                + "#include \"a/rather/long/directory/name/for/the/headers/header_number_3.h\"\n"
                + "int main(void) { return h1 + h2 + h3; }\n");
        Files.createDirectories(work.resolve("o/an/object/directory/deep/enough/to/wrap"));
        CacheFixture.backdate(work);
    }

    private static List<String> words(String flags) {
        return new ArrayList<>(Arrays.asList(flags.split(" ")));
    }

    /** The .d (at {@code dep}) the compiler writes for {@code flags}, then removed with the object. */
    private byte[] reference(String cc, String flags, String obj, String dep) throws Exception {
        List<String> plain = new ArrayList<>(List.of(cc));
        plain.addAll(words(flags));
        CacheFixture.Result r = cache.run(work, plain);
        assertEquals(0, r.exitCode(), r.err());
        byte[] d = Files.readAllBytes(work.resolve(dep));
        Files.delete(work.resolve(dep));
        Files.deleteIfExists(work.resolve(obj));
        return d;
    }

    private void cached(String cc, String flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), cc));
        command.addAll(words(flags));
        CacheFixture.Result r = cache.run(work, command);
        assertEquals(0, r.exitCode(), r.err());
    }

    @ParameterizedTest
    @MethodSource("compilers")
    void anotherObjectNameIsADirectHitWithTheCompilersOwnDependencyFile(String cc) throws Exception {
        String longObj = "o/an/object/directory/deep/enough/to/wrap/the_first_line_of_the_rule.o";
        // {flags, object, .d, whether a hit}: each group's first call compiles, the others hit
        String[][] calls = {
            {"-c t.c -MMD -o x.o", "x.o", "x.d", "miss"},
            {"-c t.c -MMD -o " + longObj, longObj, longObj.replace(".o", ".d"), "hit"},
            {"-c t.c -MMD", "t.o", "t.d", "hit"},
            {"-c t.c -MMD -MF dep.d -MQ $target -o y.o", "y.o", "dep.d", "miss"},
            {"-c t.c -MMD -MF dep.d -MQ $" + "x".repeat(70) + " -o z.o", "z.o", "dep.d", "hit"},
            {"-c t.c -MMD -MF dep.d -MT first -MT second -o y.o", "y.o", "dep.d", "miss"},
            {"-c t.c -MMD -MF dep.d -MT " + "a".repeat(40) + " -MT " + "b".repeat(40) + " -o y.o", "y.o", "dep.d", "hit"},
        };
        long hits = 0;
        long misses = 0;
        for (String[] call : calls) {
            byte[] expected = reference(cc, call[0], call[1], call[2]);
            cached(cc, call[0]);
            assertArrayEquals(expected, Files.readAllBytes(work.resolve(call[2])), call[0]);
            if (call[3].equals("hit")) {
                hits++;
            } else {
                misses++;
            }
            assertEquals(hits, cache.stat("direct_cache_hit"), call[0]);
            assertEquals(misses, cache.stat("cache_miss"), call[0]);
        }
    }

    /**
     * With {@code base_dir} the compile runs with a relative {@code -o}; the {@code .d} of a miss
     * and of a hit still names the object as typed (absolute), as plain gcc of the typed command
     * and ccache's hits do (ccache suite, basedir "Object token path in dependency file").
     */
    @ParameterizedTest
    @MethodSource("compilers")
    void underBaseDirMissAndHitNameTheObjectAsTyped(String cc) throws Exception {
        java.util.Map<String, String> env = new java.util.HashMap<>(cache.env);
        env.put("CCACHE_BASEDIR", work.toString());
        String[][] calls = {
            {"-c t.c -MMD -o " + work.resolve("abs.o"), "abs.o", "abs.d"},
            {"-c t.c -MMD -o " + work.resolve("abs.o"), "abs.o", "abs.d"},
            {"-c t.c -MMD -o rel.o", "rel.o", "rel.d"},
        };
        for (int i = 0; i < calls.length; i++) {
            String[] call = calls[i];
            byte[] expected = reference(cc, call[0], call[1], call[2]);
            List<String> command = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), cc));
            command.addAll(words(call[0]));
            CacheFixture.Result r = CacheFixture.run(work, command, env);
            assertEquals(0, r.exitCode(), r.err());
            assertArrayEquals(expected, Files.readAllBytes(work.resolve(call[2])), call[0]);
            assertEquals(1, cache.stat("cache_miss"), call[0]);
            assertEquals(i, cache.stat("direct_cache_hit"), call[0]);
        }
    }

    @Test
    void wpDashDIsKeyedAsDashD() throws Exception {
        cached("gcc", "-c -Wp,-DFOO t.c");
        cached("gcc", "-c -DFOO t.c");
        assertEquals(1, cache.stat("direct_cache_hit"));
    }

    @Test
    void anAssemblerSourceWithMdHasNoDependencyFileAndHitsInDirectMode() throws Exception {
        CacheFixture.Result r = cache.run(work, List.of("gcc", "-S", "t.c", "-o", "t.s"));
        assertEquals(0, r.exitCode(), r.err());
        CacheFixture.backdate(work.resolve("t.s"));
        Files.writeString(work.resolve("t.d"), "stale\n");
        cached("gcc", "-c -MD t.s");
        assertEquals(1, cache.stat("cache_miss"), "cached although no .d was written");
        Files.delete(work.resolve("t.d"));
        cached("gcc", "-c -MD t.s");
        assertEquals(1, cache.stat("direct_cache_hit"));
        assertFalse(Files.exists(work.resolve("t.d")), "gcc writes no .d for assembler");
    }

    @Test
    void aResultForMfDevNullIsNotServedToACallThatWantsADependencyFile() throws Exception {
        byte[] expected = reference("gcc", "-c -MD -MF t.d t.c", "t.o", "t.d");
        cached("gcc", "-c -MD -MF /dev/null t.c");
        cached("gcc", "-c -MD -MF t.d t.c");
        assertEquals(0, cache.stat("direct_cache_hit") + cache.stat("preprocessed_cache_hit"));
        assertArrayEquals(expected, Files.readAllBytes(work.resolve("t.d")));
    }
}
