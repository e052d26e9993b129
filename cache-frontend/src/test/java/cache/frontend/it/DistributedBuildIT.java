package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Distribution, end to end: the real client ({@code dist/bin/cache}, {@code CCACHE_PREFIX=distcc},
 * {@code DISTCC_HOSTS}) against three real {@code dist/bin/cached} nodes on 127.0.0.2–4, real
 * gcc everywhere. What it pins is the user-facing contract of issue 19:
 *
 * <ul>
 *   <li>a cold build's misses are compiled on the nodes, spread over them, and every object
 *       equals plain gcc's of the same file in the same directory;</li>
 *   <li>the nodes remember: a second build from an empty local cache is answered by the nodes'
 *       caches without compiling;</li>
 *   <li>what must stay local stays local (a {@code .su} file besides the object,
 *       {@code -march=native}) and is counted {@code kept_local}; a {@code -MMD} job goes, its
 *       dependency file written here; gcc {@code -g} objects from nodes have their own test,
 *       {@code DistributedDebugIT};</li>
 *   <li>a dead node or an unusable host list never fails or changes the build.</li>
 * </ul>
 *
 * <p>The cases share the nodes and run in order: the second build relies on the first having
 * filled the nodes, and the killed node is killed last. Each case has its own cache directory
 * and runtime directory, hence its own daemon; node counters are compared as differences over
 * a case. Parallelism is a {@code make -j6} against six node slots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedBuildIT {

    private static final List<String> NODE_ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    private static final int NODE_SLOTS = 2;
    private static final int BUILD_JOBS = 6;
    private static final int COLD_FILES = 30;

    @TempDir
    static Path tmp;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private Path project;

    @BeforeAll
    void startNodesAndWriteTheProject() throws Exception {
        for (String address : NODE_ADDRESSES) {
            nodes.add(NodeProcess.start(address, Files.createDirectories(tmp.resolve("node-" + address)), NODE_SLOTS, null));
        }
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("shared.h"), """
                #ifndef SHARED_H
                #define SHARED_H
                #include <stddef.h>
                #include <string.h>
                #define SCALE(x) ((x) * 3 + 1)
                struct pair { long a; long b; };
                static inline long mix(long a, long b) { return (a << 5) ^ (b >> 3) ^ SCALE(a + b); }
                #endif
                """);
        for (int i = 0; i < COLD_FILES + 10; i++) {
            writeSource("f" + i + ".c", i);
        }
        for (int i = 0; i < 5; i++) {
            writeSource("g" + i + ".c", 100 + i);
        }
        for (int i = 0; i < 5; i++) {
            writeSource("e" + i + ".c", 200 + i);
        }
        // Back-dated: no source is "too new" for direct mode.
        try (var files = Files.list(project)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            }
        }
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (NodeProcess node : nodes) {
            node.stop();
        }
        for (NodeProcess node : nodes) {
            System.out.println("--- " + node.address + " log ---\n" + node.log());
        }
    }

    /** One distinct translation unit: its own names, constants and loop shapes, the shared header. */
    private void writeSource(String name, int n) throws IOException {
        Files.writeString(project.resolve(name), """
                #include "shared.h"
                #define SEED_%1$d %1$dL
                static long table_%1$d[%2$d];
                long fill_%1$d(const struct pair *p, size_t n)
                {
                    long acc = SEED_%1$d;
                    for (size_t i = 0; i < n; i++) {
                        acc = mix(acc, p[i].a * %3$d + p[i].b);
                        table_%1$d[i %% %2$d] += acc;
                    }
                    return acc + SCALE(%1$d);
                }
                int name_%1$d(char *out, size_t size)
                {
                    static const char text[] = "unit %1$d";
                    if (size < sizeof text) return -1;
                    memcpy(out, text, sizeof text);
                    return (int)strlen(out) + %3$d;
                }
                """.formatted(n, 8 + n % 13, 2 * n + 1));
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aColdBuildIsCompiledOnTheNodesAndEqualsPlainGcc() throws Exception {
        List<String> sources = names("f", COLD_FILES);
        Map<String, byte[]> expected = plainGcc(sources, "-O2");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("a-cold"), hostList())) {
            Map<String, Map<String, Long>> before = nodeStats();
            build(cache, sources, "-O2", expected, "cold build");
            Map<String, Long> client = cache.stats();
            Map<String, Long> compiled = nodeDelta(before, nodeStats(), "compiles_ok");
            String story = "client " + distributionCounters(client) + "; node compiles " + compiled;

            assertEquals(COLD_FILES, client.getOrDefault("cache_miss", 0L),
                    "every file of a cold build is a local miss: " + story);
            assertEquals(COLD_FILES, client.getOrDefault("remote_compile", 0L) + client.getOrDefault("node_hit", 0L),
                    "every miss of a cold build is served by a node (remote_compile + node_hit): " + story);
            assertEquals(0L, client.getOrDefault("kept_local", 0L) + client.getOrDefault("builder_failed", 0L),
                    "nothing of an -O2 -c build stays local or falls back: " + story);
            assertEquals(COLD_FILES, sum(compiled), "the nodes' compiles add up to the files: " + story);
            assertEquals(client.getOrDefault("remote_compile", 0L), sum(compiled),
                    "the client's remote_compile equals what the nodes say they compiled: " + story);
            assertTrue(compiled.values().stream().filter(v -> v > 0).count() >= 2,
                    "the keys spread: at least two nodes compiled something: " + story);

            // Stored locally: the same build again is all local hits, nothing asked of the nodes.
            Map<String, Map<String, Long>> beforeWarm = nodeStats();
            long hitsBefore = cache.hits();
            build(cache, sources, "-O2", expected, "warm rebuild");
            assertEquals(COLD_FILES, cache.hits() - hitsBefore,
                    "the objects fetched from the nodes were stored in the local cache");
            assertEquals(0L, sum(nodeDelta(beforeWarm, nodeStats(), "probes")),
                    "a local hit asks no node: probes " + nodeDelta(beforeWarm, nodeStats(), "probes"));
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aSecondBuildFromAnEmptyLocalCacheIsAnsweredByTheNodes() throws Exception {
        List<String> sources = names("f", COLD_FILES);
        Map<String, byte[]> expected = plainGcc(sources, "-O2");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("b-second"), hostList())) {
            Map<String, Map<String, Long>> before = nodeStats();
            build(cache, sources, "-O2", expected, "second build from an empty local cache");
            Map<String, Map<String, Long>> after = nodeStats();
            Map<String, Long> client = cache.stats();
            Map<String, Long> compiled = nodeDelta(before, after, "compiles_ok");
            Map<String, Long> nodeHits = nodeDelta(before, after, "node_hits");
            String story = "client " + distributionCounters(client) + "; node compiles " + compiled
                    + ", node hits " + nodeHits;

            assertEquals(COLD_FILES, client.getOrDefault("cache_miss", 0L),
                    "an empty local cache misses every file: " + story);
            assertEquals(0L, sum(compiled), "the nodes compile nothing they already hold: " + story);
            assertEquals(COLD_FILES, client.getOrDefault("node_hit", 0L),
                    "the client counts every file as a node hit: " + story);
            assertEquals(0L, client.getOrDefault("remote_compile", 0L),
                    "no remote compile when the nodes hold every key: " + story);
            assertEquals(COLD_FILES, sum(nodeHits), "the nodes count a hit per file: " + story);
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void callsThatMustStayLocalAreCompiledHere() throws Exception {
        // An output besides the object (and its .d), and an option that depends on this machine.
        for (String flags : List.of("-O2 -fstack-usage", "-O2 -march=native")) {
            List<String> sources = names("g", 5);
            Map<String, byte[]> expected = plainGcc(sources, flags);
            try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("c-local" + flags.replace(' ', '_')), hostList())) {
                Map<String, Map<String, Long>> before = nodeStats();
                build(cache, sources, flags, expected, flags + " build");
                Map<String, Map<String, Long>> after = nodeStats();
                Map<String, Long> client = cache.stats();
                String story = flags + ": client " + distributionCounters(client) + "; node probes "
                        + nodeDelta(before, after, "probes") + ", node compiles "
                        + nodeDelta(before, after, "compiles_ok");

                assertEquals(sources.size(), client.getOrDefault("kept_local", 0L),
                        "every such miss is counted kept_local: " + story);
                assertEquals(0L, client.getOrDefault("remote_compile", 0L) + client.getOrDefault("node_hit", 0L),
                        "no such call is served by a node: " + story);
                assertEquals(0L, sum(nodeDelta(before, after, "compiles_ok")), "no node compiled such a call: " + story);
                assertEquals(0L, sum(nodeDelta(before, after, "probes")), "no node was even asked: " + story);
            }
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aDependencyFileIsWrittenHereWhileTheNodeCompilesTheObject() throws Exception {
        String flags = "-O2 -MMD";
        List<String> sources = names("g", 5);
        Map<String, byte[]> expected = plainGcc(sources, flags);
        Map<String, byte[]> expectedDeps = new HashMap<>();
        for (String src : sources) {
            Path dep = project.resolve(object(src).replace(".o", ".d"));
            expectedDeps.put(src, Files.readAllBytes(dep));
            Files.delete(dep);
        }
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("c-deps"), hostList())) {
            build(cache, sources, flags, expected, flags + " build");
            Map<String, Long> client = cache.stats();
            String story = flags + ": client " + distributionCounters(client);
            for (Map.Entry<String, byte[]> d : expectedDeps.entrySet()) {
                assertArrayEquals(d.getValue(), Files.readAllBytes(project.resolve(object(d.getKey()).replace(".o", ".d"))),
                        "the .d file of " + d.getKey() + " equals plain gcc's: " + story);
            }
            assertEquals(sources.size(), client.getOrDefault("remote_compile", 0L) + client.getOrDefault("node_hit", 0L),
                    "every object comes from a node: " + story);
            assertEquals(0L, client.getOrDefault("kept_local", 0L), "nothing kept here: " + story);
        }
    }

    @Test
    @Order(4)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void garbageHostListCompilesLocally() throws Exception {
        List<String> sources = names("e", 5);
        Map<String, byte[]> expected = plainGcc(sources, "-O2");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("e-garbage"), "127.0.0.2:notaport")) {
            Map<String, Map<String, Long>> before = nodeStats();
            build(cache, sources, "-O2", expected, "build with DISTCC_HOSTS=127.0.0.2:notaport");
            Map<String, Map<String, Long>> after = nodeStats();
            Map<String, Long> client = cache.stats();
            String story = "client " + distributionCounters(client) + "; node probes "
                    + nodeDelta(before, after, "probes");

            assertEquals(sources.size(), client.getOrDefault("cache_miss", 0L),
                    "every file is a local miss, compiled and cached here: " + story);
            assertEquals(0L, client.getOrDefault("remote_compile", 0L) + client.getOrDefault("node_hit", 0L),
                    "nothing is served remotely with an unusable host list: " + story);
            assertEquals(0L, sum(nodeDelta(before, after, "probes")) + sum(nodeDelta(before, after, "compiles_ok")),
                    "no node is contacted with an unusable host list: " + story);
        }
    }

    @Test
    @Order(5)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aKilledNodeNeverBreaksTheBuild() throws Exception {
        List<String> sources = new ArrayList<>();
        for (int i = COLD_FILES; i < COLD_FILES + 10; i++) {
            sources.add("f" + i + ".c");
        }
        Map<String, byte[]> expected = plainGcc(sources, "-O2");
        NodeProcess dead = nodes.get(0);
        dead.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertTrue(!dead.process.isAlive(), "the node was killed");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("d-killed"), hostList())) {
            Map<String, Map<String, Long>> before = nodeStats();
            build(cache, sources, "-O2", expected, "build with " + dead.address + " killed");
            Map<String, Map<String, Long>> after = nodeStats();
            Map<String, Long> client = cache.stats();
            Map<String, Long> compiled = nodeDelta(before, after, "compiles_ok");
            long remote = client.getOrDefault("remote_compile", 0L);
            long failed = client.getOrDefault("builder_failed", 0L);
            String story = "client " + distributionCounters(client) + "; live nodes' compiles " + compiled;

            assertEquals(sources.size(), client.getOrDefault("cache_miss", 0L),
                    "every new file is a local miss: " + story);
            assertEquals(remote, sum(compiled),
                    "remote_compile counts exactly what the live nodes compiled: " + story);
            assertEquals(0L, client.getOrDefault("node_hit", 0L), "new files cannot be node hits: " + story);
            assertTrue(remote > 0, "the live nodes took work while one node is dead: " + story);
            assertTrue(failed > 0 || remote == sources.size(),
                    "each file was compiled by a live node or counted builder_failed and compiled here: " + story);
            assertTrue(remote + failed <= sources.size(), "no file counted twice: " + story);
        }
    }

    // --- building --------------------------------------------------------------------------

    private static List<String> names(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(prefix + i + ".c");
        }
        return l;
    }

    /** {@code DISTCC_HOSTS} naming every node, dead or alive: {@code 127.0.0.2:P/2 127.0.0.3:Q/2 …}. */
    private String hostList() {
        return nodes.stream().map(node -> node.hostEntry(NODE_SLOTS)).collect(Collectors.joining(" "));
    }

    /** Plain {@code gcc FLAGS -c F -o F.o} in the project directory: the reference objects. */
    private Map<String, byte[]> plainGcc(List<String> sources, String flags) throws Exception {
        return ParallelBuild.plainGcc(project, sources, flags);
    }

    /** Through {@code cache}, {@value #BUILD_JOBS} at a time as {@code make -j} runs them ({@link ParallelBuild#build}). */
    private void build(CacheFixture cache, List<String> sources, String flags, Map<String, byte[]> expected,
            String what) {
        ParallelBuild.build(cache, project, sources, flags, expected, what, BUILD_JOBS);
    }

    private static String object(String src) {
        return ParallelBuild.object(src);
    }

    private static String distributionCounters(Map<String, Long> s) {
        return List.of("cache_miss", "remote_compile", "node_hit", "kept_local", "builder_failed",
                "direct_cache_hit", "preprocessed_cache_hit").stream()
                .map(n -> n + "=" + (s.containsKey(n) ? s.get(n) : "absent"))
                .collect(Collectors.joining(" "));
    }

    // --- the nodes -------------------------------------------------------------------------

    /** Each live node's counters, by address. */
    private Map<String, Map<String, Long>> nodeStats() throws Exception {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (NodeProcess node : nodes) {
            if (node.process.isAlive()) {
                m.put(node.address, node.stats());
            }
        }
        return m;
    }

    /** Per live node, how much counter {@code name} grew. */
    private static Map<String, Long> nodeDelta(Map<String, Map<String, Long>> before,
            Map<String, Map<String, Long>> after, String name) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Long>> e : after.entrySet()) {
            long b = before.getOrDefault(e.getKey(), Map.of()).getOrDefault(name, 0L);
            d.put(e.getKey(), e.getValue().getOrDefault(name, 0L) - b);
        }
        return d;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
