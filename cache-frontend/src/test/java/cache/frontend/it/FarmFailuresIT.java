package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
 * The farm under stress, end to end with the real client and real {@code cached} nodes on
 * 127.0.0.2–5 (issue 19's acceptance lines on failures and on compiling each key once):
 *
 * <ul>
 *   <li>two daemons (two cache directories, two runtime directories) building the same tree at
 *       once against the same three nodes: the nodes compile each distinct key once, and every
 *       object of both builds equals plain gcc's;</li>
 *   <li>a node SIGSTOPped while it runs a slow job (its {@code gcc} is a wrapper that sleeps
 *       first) does not hold the build for the 5 min request timeout: its silence (no
 *       {@code WORKING} frame) fails the job over to another node or here, the daemon log says
 *       why, and every object is right;</li>
 *   <li>a node whose {@code gcc} reports another version never probes, serves nor compiles the
 *       client's gcc jobs, which the other nodes take.</li>
 * </ul>
 * The three regular nodes run {@code gcc} through a wrapper in their own compiler path that
 * sleeps while the flag file {@code slow} exists, then runs {@code /usr/bin/gcc}: the objects are
 * gcc's own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FarmFailuresIT {

    private static final List<String> NODE_ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    private static final String OTHER_VERSION_ADDRESS = "127.0.0.5";
    private static final int NODE_SLOTS = 2;

    @TempDir
    static Path tmp;

    private final List<NodeProcess> nodes = new ArrayList<>();
    private NodeProcess otherVersion;
    private Path slowFlag;
    private Path projectA;
    private Path projectB;

    @BeforeAll
    void startNodesAndWriteTheProjects() throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc (/usr/bin/gcc)");
        slowFlag = tmp.resolve("slow");
        for (String address : NODE_ADDRESSES) {
            Path dir = Files.createDirectories(tmp.resolve("node-" + address));
            Path bin = wrapper(dir, """
                    case "$1" in -dumpfullversion|-dumpversion|-dumpmachine) exec /usr/bin/gcc "$@";; esac
                    if [ -e '%s' ]; then sleep 8; fi
                    exec /usr/bin/gcc "$@"
                    """.formatted(slowFlag));
            nodes.add(NodeProcess.start(address, dir, NODE_SLOTS, bin + ":/usr/bin:/bin"));
        }
        Path dir = Files.createDirectories(tmp.resolve("node-other-version"));
        Path bin = wrapper(dir, """
                case "$1" in -dumpfullversion|-dumpversion) echo 99.9.0; exit 0;; esac
                exec /usr/bin/gcc "$@"
                """);
        otherVersion = NodeProcess.start(OTHER_VERSION_ADDRESS, dir, NODE_SLOTS, bin + ":/usr/bin:/bin");
        projectA = writeProject(tmp.resolve("project-a"));
        projectB = writeProject(tmp.resolve("project-b"));
    }

    @AfterAll
    void stopNodes() throws Exception {
        List<NodeProcess> all = new ArrayList<>(nodes);
        if (otherVersion != null) {
            all.add(otherVersion);
        }
        for (NodeProcess node : all) {
            node.stop();
        }
        for (NodeProcess node : all) {
            System.out.println("--- " + node.address + " log ---\n" + node.log());
        }
    }

    /** A {@code gcc} script of {@code body} in the node's own bin directory; returns that directory. */
    private static Path wrapper(Path nodeDir, String body) throws IOException {
        Path bin = Files.createDirectories(nodeDir.resolve("bin"));
        Path gcc = bin.resolve("gcc");
        Files.writeString(gcc, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(gcc, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** A tree of distinct translation units sharing a header (the same in every copy). */
    private static Path writeProject(Path project) throws IOException {
        Files.createDirectories(project);
        Files.writeString(project.resolve("shared.h"), """
                #ifndef SHARED_H
                #define SHARED_H
                #include <stddef.h>
                #define SCALE(x) ((x) * 5 + 3)
                static inline long mix(long a, long b) { return (a << 7) ^ (b >> 2) ^ SCALE(a - b); }
                #endif
                """);
        for (String prefix : List.of("t", "s", "v")) {
            for (int i = 0; i < 16; i++) {
                int n = prefix.charAt(0) * 100 + i;
                Files.writeString(project.resolve(prefix + i + ".c"), """
                        #include "shared.h"
                        static long acc_%1$d[%2$d];
                        long step_%1$d(const long *v, size_t n)
                        {
                            long a = %1$dL;
                            for (size_t i = 0; i < n; i++) {
                                a = mix(a, v[i] * %3$d);
                                acc_%1$d[i %% %2$d] ^= a;
                            }
                            return a + SCALE(%1$d);
                        }
                        """.formatted(n, 5 + n % 11, 2 * n + 1));
            }
        }
        try (Stream<Path> files = Files.list(project)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            }
        }
        return project;
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoDaemonsBuildingTheSameTreeAtOnceCompileEachKeyOnceOnTheFarm() throws Exception {
        List<String> sources = names("t", 16);
        Map<String, byte[]> expected = ParallelBuild.plainGcc(projectA, sources, "-O2");
        // Limits above the build's parallelism: each key goes to its owner, never spills.
        String hosts = nodes.stream().map(n -> n.hostEntry(8)).collect(Collectors.joining(" "));
        try (CacheFixture a = CacheFixture.distributing(tmp.resolve("two-a"), hosts);
                CacheFixture b = CacheFixture.distributing(tmp.resolve("two-b"), hosts)) {
            Map<String, Map<String, Long>> before = stats(nodes);
            CompletableFuture<Void> buildA = CompletableFuture.runAsync(() -> ParallelBuild.build(a, projectA, sources, "-O2",
                    expected, "daemon A", 4));
            CompletableFuture<Void> buildB = CompletableFuture.runAsync(() -> ParallelBuild.build(b, projectB, sources, "-O2",
                    expected, "daemon B", 4));
            buildA.get(4, TimeUnit.MINUTES);
            buildB.get(4, TimeUnit.MINUTES);
            Map<String, Map<String, Long>> after = stats(nodes);
            Map<String, Long> sa = a.stats();
            Map<String, Long> sb = b.stats();
            Map<String, Long> compiled = delta(before, after, "compiles_ok");
            String story = "A " + counters(sa) + "; B " + counters(sb) + "; node compiles " + compiled
                    + ", joined " + delta(before, after, "compiles_joined") + ", node hits "
                    + delta(before, after, "node_hits");

            assertEquals(sources.size(), sum(compiled),
                    "the nodes compiled each of the " + sources.size() + " distinct keys once: " + story);
            assertEquals(2L * sources.size(), served(sa) + served(sb),
                    "every miss of both daemons was answered by a node (remote_compile + node_hit): " + story);
            assertEquals(0L, sa.getOrDefault("builder_failed", 0L) + sb.getOrDefault("builder_failed", 0L),
                    "nothing fell back: " + story);
            System.out.println("two daemons: " + story);
        }
    }

    @Test
    @Order(2)
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // under the 5 min a request may take: silence ends it sooner
    void aNodeStoppedMidJobDoesNotHoldTheBuild() throws Exception {
        // As many files as the farm has slots, all started at once: every probe is done before the
        // node is stopped, so nothing but its silence during the job can tell the client it hangs.
        List<String> sources = names("s", NODE_SLOTS * NODE_ADDRESSES.size());
        Map<String, byte[]> expected = ParallelBuild.plainGcc(projectA, sources, "-O2");
        String hosts = nodes.stream().map(n -> n.hostEntry(NODE_SLOTS)).collect(Collectors.joining(" "));
        NodeProcess stopped = nodes.get(0);
        Files.createFile(slowFlag);
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("stopped"), hosts)) {
            long startedBefore = stopped.stats().getOrDefault("compiles_ok", 0L);
            Map<String, Map<String, Long>> before = stats(nodes);
            CompletableFuture<Void> build = CompletableFuture.runAsync(() -> ParallelBuild.build(cache, projectA, sources, "-O2",
                    expected, "build with " + stopped.address + " stopped mid-job", sources.size()));
            // Every job past its probes and on a node (running, queued or done), one of them on the
            // node to be stopped: from then on only the jobs' own connections can notice.
            while (true) {
                assertTrue(!build.isDone(), "the build ended before " + stopped.address + " was stopped");
                Map<String, Map<String, Long>> now = stats(nodes);
                long sent = sum(delta(before, now, "compiles_ok")) + sum(delta(before, now, "compiles_failed"))
                        + sum(delta(Map.of(), now, "jobs_running")) + sum(delta(Map.of(), now, "jobs_queued"));
                if (sent >= sources.size()) {
                    // a job queued on the node (its compile thread not started yet) is as much in its hands
                    Map<String, Long> on = now.get(stopped.address);
                    assertTrue(on.getOrDefault("jobs_running", 0L) + on.getOrDefault("jobs_queued", 0L) > 0,
                            stopped.address + " holds a job when every job has been sent: " + now);
                    break;
                }
                Thread.sleep(100);
            }
            stopped.pause(true);
            try {
                build.get(150, TimeUnit.SECONDS);
            } finally {
                stopped.pause(false);
                Files.deleteIfExists(slowFlag);
            }
            Map<String, Long> s = cache.stats();
            String log = daemonLog(cache);
            String story = "client " + counters(s) + "; daemon log:\n" + log;
            assertTrue(log.contains("it hangs") && log.contains(stopped.address),
                    "the daemon log names the silent node and why: " + story);
            assertEquals(sources.size(), s.getOrDefault("cache_miss", 0L), story);
            assertEquals(sources.size(), served(s) + s.getOrDefault("builder_failed", 0L),
                    "every file was served by a live node or fell back to a local compile: " + story);
            assertTrue(stopped.stats().getOrDefault("compiles_ok", 0L) >= startedBefore,
                    "the continued node serves again");
            System.out.println("stopped node: client " + counters(s));
        }
    }

    @Test
    @Order(3)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeWithAnotherGccVersionNeverServesTheClientsGcc() throws Exception {
        List<String> sources = names("v", 10);
        Map<String, byte[]> expected = ParallelBuild.plainGcc(projectA, sources, "-O2");
        String hosts = Stream.of(otherVersion, nodes.get(1), nodes.get(2)).map(n -> n.hostEntry(NODE_SLOTS))
                .collect(Collectors.joining(" "));
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("other-version"), hosts)) {
            Map<String, Long> before = otherVersion.stats();
            ParallelBuild.build(cache, projectA, sources, "-O2", expected, "build with a gcc 99.9.0 node", 6);
            Map<String, Long> after = otherVersion.stats();
            Map<String, Long> s = cache.stats();
            String story = "client " + counters(s) + "; other-version node " + after;
            for (String counter : List.of("probes", "node_hits", "compiles_ok", "compiles_failed", "compiles_joined")) {
                assertEquals(before.getOrDefault(counter, 0L), after.getOrDefault(counter, 0L),
                        "the gcc 99.9.0 node's " + counter + " stays unchanged: " + story);
            }
            assertTrue(after.getOrDefault("refused_compiler_mismatch", 0L)
                    > before.getOrDefault("refused_compiler_mismatch", 0L),
                    "the node was asked and refused the client's gcc as a mismatch: " + story);
            assertEquals(sources.size(), served(s), "the nodes with the same gcc served every file: " + story);
        }
    }

    // --- helpers ----------------------------------------------------------------------------

    private static List<String> names(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(prefix + i + ".c");
        }
        return l;
    }

    private static long served(Map<String, Long> s) {
        return s.getOrDefault("remote_compile", 0L) + s.getOrDefault("node_hit", 0L);
    }

    private static String counters(Map<String, Long> s) {
        return Stream.of("cache_miss", "remote_compile", "node_hit", "kept_local", "builder_failed")
                .map(n -> n + "=" + s.getOrDefault(n, 0L)).collect(Collectors.joining(" "));
    }

    /** The daemon's log ({@code d.log} in its runtime directory). */
    private static String daemonLog(CacheFixture cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache.runtimeDir)) {
            StringBuilder b = new StringBuilder();
            for (Path p : files.filter(p -> p.getFileName().toString().equals("d.log")).toList()) {
                b.append(Files.readString(p));
            }
            return b.toString();
        }
    }

    private static Map<String, Map<String, Long>> stats(List<NodeProcess> of) throws Exception {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (NodeProcess n : of) {
            m.put(n.address, n.stats());
        }
        return m;
    }

    private static Map<String, Long> delta(Map<String, Map<String, Long>> before, Map<String, Map<String, Long>> after,
            String name) {
        Map<String, Long> d = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Long>> e : after.entrySet()) {
            d.put(e.getKey(), e.getValue().getOrDefault(name, 0L)
                    - before.getOrDefault(e.getKey(), Map.of()).getOrDefault(name, 0L));
        }
        return d;
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
