package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code distccd} nodes in the host list (issue 20, client side): Debian's distccd 3.4 on
 * loopback, one plain (protocol 1) and one {@code ,lzo} (protocol 2), no host-list syntax to say
 * they are distccd. {@code cache} with {@code CCACHE_PREFIX=distcc} compiles a cold build's misses
 * on them (distccd's own log counts the jobs), every object byte-identical to plain gcc's; a
 * compile error is answered as plain gcc answers it; a list mixing a {@code cached} node and a
 * distccd uses both; a stopped distccd never fails a build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistccdNodesIT {

    private static final int SLOTS = 2;
    private static final int BUILD_JOBS = 4;
    private static final int COLD_FILES = 20;
    private static final int MIXED_FILES = 10;

    @TempDir
    static Path tmp;

    private DistccdProcess plain;
    private DistccdProcess lzo;
    private NodeProcess cached;
    private Path project;

    @BeforeAll
    void startNodesAndWriteTheProject() throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/distccd")), "distccd (Debian package distcc)");
        plain = DistccdProcess.start("127.0.0.5", Files.createDirectories(tmp.resolve("distccd-plain")), SLOTS);
        lzo = DistccdProcess.start("127.0.0.6", Files.createDirectories(tmp.resolve("distccd-lzo")), SLOTS);
        cached = NodeProcess.start("127.0.0.7", Files.createDirectories(tmp.resolve("cached")), SLOTS, null);
        project = Files.createDirectories(tmp.resolve("project"));
        for (int i = 0; i < COLD_FILES + MIXED_FILES; i++) {
            Files.writeString(project.resolve("u" + i + ".c"), """
                    #include <string.h>
                    #define K_%1$d %1$dL
                    static long t_%1$d[%2$d];
                    long f_%1$d(const char *s)
                    {
                        long acc = K_%1$d;
                        for (size_t i = 0; i < strlen(s); i++) {
                            acc = acc * 31 + s[i];
                            t_%1$d[i %% %2$d] ^= acc;
                        }
                        return acc;
                    }
                    """.formatted(i, 5 + i % 7));
        }
        Files.writeString(project.resolve("broken.c"), "int broken(void) { return 1 }\n");
        try (var files = Files.list(project)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            }
        }
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (DistccdProcess d : new DistccdProcess[] {plain, lzo}) {
            if (d != null) {
                d.stop();
                System.out.println("--- " + d + " log ---\n" + d.log());
            }
        }
        if (cached != null) {
            cached.stop();
            System.out.println("--- " + cached + " log ---\n" + cached.log());
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aColdBuildIsCompiledOnRealDistccdNodesPlainAndLzoAndEqualsPlainGcc() throws Exception {
        List<String> sources = names(0, COLD_FILES);
        Map<String, byte[]> expected = plainGcc(sources);
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("a-cold"),
                plain.entry() + " " + lzo.entry() + ",lzo")) {
            int plainBefore = plain.compiled();
            int lzoBefore = lzo.compiled();
            build(cache, sources, expected, "cold build on distccd nodes");
            Map<String, Long> client = cache.stats();
            int onPlain = plain.compiled() - plainBefore;
            int onLzo = lzo.compiled() - lzoBefore;
            String story = "client " + counters(client) + "; distccd COMPILE_OK plain=" + onPlain + " lzo=" + onLzo;

            assertEquals(COLD_FILES, client.getOrDefault("cache_miss", 0L), "every file is a local miss: " + story);
            assertEquals(COLD_FILES, client.getOrDefault("remote_compile", 0L),
                    "every miss is compiled by a distccd: " + story);
            assertEquals(0L, client.getOrDefault("node_hit", 0L), "a distccd has no cache to hit: " + story);
            assertEquals(COLD_FILES, onPlain + onLzo, "distccd's logs count one job per file: " + story);
            assertTrue(onPlain > 0 && onLzo > 0, "both hosts compiled, the ,lzo one in protocol 2: " + story);
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCompileErrorOnADistccdIsAnsweredAsPlainGccAnswersIt() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LC_ALL", "C");
        CacheFixture.Result local = CacheFixture.run(project, List.of("gcc", "-O2", "-c", "broken.c", "-o",
                "broken.o"), env);
        assertTrue(local.exitCode() != 0, "broken.c does not compile");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("b-error"), plain.entry())) {
            CacheFixture.Result r = cache.run(project, List.of(CacheFixture.CLIENT.toString(), "gcc", "-O2", "-c",
                    "broken.c", "-o", "broken.o"));
            assertEquals(local.exitCode(), r.exitCode(), "exit code as plain gcc's: " + r.err());
            assertEquals(local.err(), r.err(), "stderr as plain gcc's");
            assertTrue(!Files.exists(project.resolve("broken.o")), "no object");
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aListMixingACachedNodeAndADistccdUsesBoth() throws Exception {
        List<String> sources = names(COLD_FILES, MIXED_FILES);
        Map<String, byte[]> expected = plainGcc(sources);
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("c-mixed"), cached.hostEntry(SLOTS) + " " + lzo.entry() + ",lzo")) {
            int lzoBefore = lzo.compiled();
            long cachedBefore = cached.stats().getOrDefault("compiles_ok", 0L);
            build(cache, sources, expected, "build on a cached node and a distccd");
            Map<String, Long> client = cache.stats();
            int onLzo = lzo.compiled() - lzoBefore;
            long onCached = cached.stats().getOrDefault("compiles_ok", 0L) - cachedBefore;
            String story = "client " + counters(client) + "; distccd " + onLzo + ", cached " + onCached;

            assertEquals(MIXED_FILES, client.getOrDefault("remote_compile", 0L),
                    "every miss is compiled on a node: " + story);
            assertEquals(MIXED_FILES, onLzo + onCached, "the two nodes' counts add up to the files: " + story);
            assertTrue(onLzo > 0 && onCached > 0, "both kinds of node compiled: " + story);
        }
    }

    @Test
    @Order(4)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aStoppedDistccdNeverBreaksTheBuild() throws Exception {
        Files.writeString(project.resolve("late.c"), "int late(int x) { return x * 41 + 1; }\n");
        Files.writeString(project.resolve("later.c"), "int later(int x) { return x * 43 + 3; }\n");
        List<String> sources = List.of("late.c", "later.c");
        Map<String, byte[]> expected = plainGcc(sources);
        plain.stop();
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("d-stopped"), plain.entry() + " " + lzo.entry() + ",lzo")) {
            build(cache, sources, expected, "build with " + plain + " stopped");
            Map<String, Long> client = cache.stats();
            assertEquals(sources.size(), client.getOrDefault("remote_compile", 0L)
                    + client.getOrDefault("builder_failed", 0L),
                    "each file went to the live distccd or was compiled here: " + counters(client));
        }
    }

    // --- building --------------------------------------------------------------------------

    private static List<String> names(int from, int n) {
        List<String> l = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            l.add("u" + i + ".c");
        }
        return l;
    }

    private Map<String, byte[]> plainGcc(List<String> sources) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LC_ALL", "C");
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (String src : sources) {
            CacheFixture.Result r = CacheFixture.run(project, command(src), env);
            assertEquals(0, r.exitCode(), "plain gcc " + src + ": " + r.err());
            objects.put(src, Files.readAllBytes(project.resolve(object(src))));
            Files.delete(project.resolve(object(src)));
        }
        return objects;
    }

    private void build(CacheFixture cache, List<String> sources, Map<String, byte[]> expected, String what)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(BUILD_JOBS);
        try {
            Map<String, Future<CacheFixture.Result>> runs = new LinkedHashMap<>();
            for (String src : sources) {
                List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString()));
                cmd.addAll(command(src));
                runs.put(src, pool.submit(() -> cache.run(project, cmd)));
            }
            for (Map.Entry<String, Future<CacheFixture.Result>> run : runs.entrySet()) {
                CacheFixture.Result r = run.getValue().get(4, TimeUnit.MINUTES);
                String src = run.getKey();
                assertEquals(0, r.exitCode(), what + ": cache gcc " + src + " failed: " + r.err());
                assertArrayEquals(expected.get(src), Files.readAllBytes(project.resolve(object(src))),
                        what + ": " + object(src) + " differs from plain gcc's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> command(String src) {
        return List.of("gcc", "-O2", "-c", src, "-o", object(src));
    }

    private static String object(String src) {
        return src.substring(0, src.length() - 2) + ".o";
    }

    private static String counters(Map<String, Long> s) {
        return List.of("cache_miss", "remote_compile", "node_hit", "kept_local", "builder_failed").stream()
                .map(n -> n + "=" + s.getOrDefault(n, 0L)).collect(Collectors.joining(" "));
    }
}
