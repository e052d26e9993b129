package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code read_only_direct} ({@code CCACHE_READONLY_DIRECT}) as ccache 4.7 does it: a direct-mode
 * lookup, and nothing else. A direct hit is served; a direct miss runs the compiler on the source
 * and is counted {@code cache_miss}, with no preprocessor run, no preprocessor-mode lookup (even
 * when a preprocessor-mode result exists) and nothing stored, neither a result nor a manifest
 * entry. One scenario, its counters pinned step by step ({@link #EXPECTED}); the same table was
 * measured with {@code /usr/bin/ccache} 4.7.5, and {@link #theRealCcacheCountsTheSame} checks it
 * stays so.
 */
@Timeout(120)
class ReadOnlyDirectIT extends CacheWorkDir {

    /** The counters each step changes, and by how much (those left out do not change). */
    private static final List<String> COUNTERS = List.of("direct_cache_hit", "direct_cache_miss",
            "preprocessed_cache_hit", "preprocessed_cache_miss", "cache_miss", "files_in_cache");

    /** One call: its source, its setting ({@code CCACHE_…} variable or none), and why. */
    private record Step(String source, String setting, String why) {
        @Override
        public String toString() {
            return (setting.isEmpty() ? "" : setting + " ") + source + ": " + why;
        }
    }

    private static final String ROD = "CCACHE_READONLY_DIRECT";

    private static final List<Step> STEPS = List.of(
            new Step("a.c", ROD, "empty cache: direct miss, compiled; no preprocessed lookup, nothing stored"),
            new Step("a.c", "", "so this call finds neither manifest nor result, and stores both"),
            new Step("a.c", ROD, "direct-mode lookups are allowed"),
            new Step("b.c", "CCACHE_NODIRECT", "a preprocessor-mode result without a manifest entry ..."),
            new Step("b.c", ROD, "... is not looked up: direct miss, compiled, no manifest written ..."),
            new Step("b.c", ROD, "... (still a direct miss) ..."),
            new Step("b.c", "", "... which a normal call finds, recording the manifest ..."),
            new Step("b.c", ROD, "... after which it is a direct hit"));

    /** Each step's counter changes, as measured with /usr/bin/ccache 4.7.5. */
    private static final List<Map<String, Long>> EXPECTED = List.of(
            Map.of("direct_cache_miss", 1L, "cache_miss", 1L),
            Map.of("direct_cache_miss", 1L, "preprocessed_cache_miss", 1L, "cache_miss", 1L, "files_in_cache", 2L),
            Map.of("direct_cache_hit", 1L),
            Map.of("preprocessed_cache_miss", 1L, "cache_miss", 1L, "files_in_cache", 1L),
            Map.of("direct_cache_miss", 1L, "cache_miss", 1L),
            Map.of("direct_cache_miss", 1L, "cache_miss", 1L),
            Map.of("direct_cache_miss", 1L, "preprocessed_cache_hit", 1L, "files_in_cache", 1L),
            Map.of("direct_cache_hit", 1L));

    /** The pinned table, keyed by step for readable failures. */
    private static Map<String, Map<String, Long>> expected() {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (int i = 0; i < STEPS.size(); i++) {
            m.put((i + 1) + " " + STEPS.get(i), EXPECTED.get(i));
        }
        return m;
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(work.resolve("h.h"), "#define SCALE 3\n");
        Files.writeString(work.resolve("a.c"), "#include \"h.h\"\nint a(int x) { return x * SCALE; }\n");
        Files.writeString(work.resolve("b.c"), "#include \"h.h\"\nint b(int x) { return x + SCALE; }\n");
        CacheFixture.backdate(work);
    }

    @Test
    void directLookupsOnlyAndNothingStored() throws Exception {
        Map<String, String> env = new HashMap<>(cache.env);
        Map<String, Map<String, Long>> got = scenario(List.of(CacheFixture.CLIENT.toString()), env,
                () -> {
                    try {
                        return cache.stats();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(expected(), got);
    }

    @Test
    void theRealCcacheCountsTheSame() throws Exception {
        RealCcache.requireInstalled();
        Map<String, String> env = new HashMap<>(cache.env);
        env.put("CCACHE_DIR", Files.createDirectories(tmp.resolve("real-cache")).toString());
        List<String> ccache = List.of(RealCcache.BINARY.toString());
        Map<String, Map<String, Long>> got = scenario(ccache, env, () -> {
            try {
                List<String> cmd = new ArrayList<>(ccache);
                cmd.add("--print-stats");
                return parse(CacheFixture.run(work, cmd, env).out());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(expected(), got, "ccache 4.7.5's counters: the table pinned here is what ccache does");
    }

    /**
     * Runs the scenario's steps through {@code launcher} (our client or ccache), each object
     * compared with gcc's own; returns each step's counter changes.
     */
    private Map<String, Map<String, Long>> scenario(List<String> launcher, Map<String, String> env,
            Supplier<Map<String, Long>> stats) throws Exception {
        Map<String, Map<String, Long>> got = new LinkedHashMap<>();
        for (int i = 0; i < STEPS.size(); i++) {
            Step step = STEPS.get(i);
            String source = step.source();
            Map<String, String> callEnv = new HashMap<>(env);
            if (!step.setting().isEmpty()) {
                callEnv.put(step.setting(), "1");
            }
            String object = source.replace(".c", ".o");
            Files.deleteIfExists(work.resolve(object));
            Map<String, Long> before = stats.get();
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(List.of("gcc", "-O1", "-c", source, "-o", object));
            CacheFixture.Result r = CacheFixture.run(work, cmd, callEnv);
            assertEquals(0, r.exitCode(), step + ": " + r.err());
            Map<String, Long> after = stats.get();
            Map<String, Long> delta = new HashMap<>();
            for (String c : COUNTERS) {
                long d = after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L);
                if (d != 0) {
                    delta.put(c, d);
                }
            }
            got.put((i + 1) + " " + step, delta);
            CacheFixture.Result plain = CacheFixture.run(work, List.of("gcc", "-O1", "-c", source, "-o", "plain.o"), env);
            assertEquals(0, plain.exitCode(), plain.err());
            assertArrayEquals(Files.readAllBytes(work.resolve("plain.o")), Files.readAllBytes(work.resolve(object)),
                    step.toString());
        }
        return got;
    }

    private static Map<String, Long> parse(String printStats) {
        Map<String, Long> m = new HashMap<>();
        for (String line : printStats.split("\n")) {
            String[] kv = line.split("\t");
            if (kv.length == 2) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }
}
