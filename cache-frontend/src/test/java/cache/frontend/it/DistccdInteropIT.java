package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.DistccInteropCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop line of issue 20, client side: our distributor and Debian's real {@code distccd}
 * 3.4 on loopback, protocol 1 (plain) and 2 ({@code ,lzo}), for each case of the acceptance
 * (C, C++, a source with warnings, one with an error, {@code -MD}, {@code -MMD -MF -MT},
 * {@code -g}). Every output a user sees (object, {@code .d}, stderr, exit code) is byte for byte
 * the one plain gcc gives for the same command, and each case asserts where the job went:
 * distccd's log counts the jobs it ran and our counters say why a job was compiled or kept
 * here, so a silent local fallback fails the test.
 *
 * <p>What a distccd cannot reproduce stays or is redone here, as {@code docs/distributed.md}
 * says: a failed compile and a compile with diagnostics are run again here (the node compiled
 * preprocessed text: gcc shows no source lines under its messages), and {@code -g} jobs stay
 * here (compiling cpp's output moves DWARF columns; real distcc's objects differ there).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistccdInteropIT {

    private static final int SLOTS = 2;

    @TempDir
    static Path tmp;

    private DistccdProcess plain;
    private DistccdProcess lzo;
    /** One cache (and daemon) per protocol; each case reads its counters' change. */
    private final Map<String, CacheFixture> caches = new HashMap<>();

    @BeforeAll
    void startDistccd() throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/distccd")), "distccd (Debian package distcc)");
        plain = DistccdProcess.start("127.0.0.11", Files.createDirectories(tmp.resolve("distccd-plain")), SLOTS);
        lzo = DistccdProcess.start("127.0.0.12", Files.createDirectories(tmp.resolve("distccd-lzo")), SLOTS);
    }

    @AfterAll
    void stopDistccd() throws Exception {
        for (CacheFixture cache : caches.values()) {
            cache.close();
        }
        for (DistccdProcess d : new DistccdProcess[] {plain, lzo}) {
            if (d != null) {
                d.stop();
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cache.node.DistccInteropCases#byProtocol")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ourDistributorOnARealDistccdGivesPlainGccsOutputsStderrAndExitCode(String protocol, DistccInteropCases.Case c)
            throws Exception {
        DistccdProcess node = protocol.equals("lzo") ? lzo : plain;
        String name = (protocol + "_" + c.name()).replaceAll("[^A-Za-z0-9]", "_");
        // Salted per case: the cases share a cache per protocol, and none may hit another's entry.
        Path project = DistccInteropCases.writeSources(tmp.resolve(name), name);
        CacheFixture.backdate(project); // old enough for direct mode
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LC_ALL", "C");
        CacheFixture.Result local = CacheFixture.run(project, c.command(), env);
        Map<String, byte[]> expected = DistccInteropCases.takeOutputs(project, c); // plain gcc's, removed

        CacheFixture cache = caches.computeIfAbsent(protocol, p -> distributing(tmp.resolve("cache-" + p),
                node.entry() + (p.equals("lzo") ? ",lzo" : "")));
        Map<String, Long> before = cache.stats();
        int jobsBefore = node.jobs();
        List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString()));
        cmd.addAll(c.command());
        CacheFixture.Result r = cache.run(project, cmd);
        Map<String, Long> stats = new HashMap<>();
        cache.stats().forEach((k, v) -> stats.put(k, v - before.getOrDefault(k, 0L)));
        // distccd logs a job after its answer is sent: under load the line may come after our
        // reply, so a job the route says went to the node is waited for (bounded)
        int onNode = node.jobs() - jobsBefore;
        for (long end = System.nanoTime() + 10_000_000_000L; c.route() == DistccInteropCases.Route.NODE && onNode == 0
                && System.nanoTime() < end; onNode = node.jobs() - jobsBefore) {
            Thread.sleep(20);
        }
        String story = c + " on " + node + ": " + counters(stats) + "; distccd ran " + onNode
                + "\nlocal stderr:\n" + local.err() + "\nour stderr:\n" + r.err();

        assertEquals(local.exitCode(), r.exitCode(), "exit code as plain gcc's: " + story);
        assertEquals(local.err(), r.err(), "stderr byte for byte as plain gcc's: " + story);
        assertArrayEquals(local.stdout(), r.stdout(), "stdout as plain gcc's: " + story);
        for (String out : c.outputs()) {
            byte[] want = expected.get(out);
            Path got = project.resolve(out);
            if (want == null) {
                assertFalse(Files.exists(got), out + " is not written, as gcc writes none: " + story);
            } else {
                assertTrue(Files.exists(got), out + " is written: " + story);
                assertArrayEquals(want, Files.readAllBytes(got), out + " equals plain gcc's: " + story);
            }
        }
        switch (c.route()) {
            case NODE -> {
                assertEquals(1, onNode, "distccd compiled the job: " + story);
                assertEquals(1L, stats.getOrDefault("remote_compile", 0L), "counted as compiled on a node: " + story);
                assertEquals(0L, stats.getOrDefault("kept_local", 0L), "nothing compiled here: " + story);
            }
            case NODE_THEN_HERE -> {
                assertEquals(1, onNode, "distccd ran the job: " + story);
                assertEquals(1L, stats.getOrDefault(c.keptLocal(), 0L), "then it was redone here: " + story);
            }
            case HERE -> {
                assertEquals(0, onNode, "the job never reached distccd: " + story);
                assertEquals(1L, stats.getOrDefault(c.keptLocal(), 0L), "kept here for its reason: " + story);
            }
            default -> throw new AssertionError(c.route());
        }
        assertEquals(0L, stats.getOrDefault("builder_failed", 0L), "the node never failed: " + story);
    }

    private static CacheFixture distributing(Path root, String hosts) {
        try {
            CacheFixture cache = new CacheFixture(root);
            cache.env.put("CCACHE_PREFIX", "distcc");
            cache.env.put("DISTCC_HOSTS", hosts);
            cache.env.put("DISTCC_DIR", Files.createDirectories(root.resolve("distcc")).toString());
            return cache;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String counters(Map<String, Long> s) {
        return s.entrySet().stream().filter(e -> e.getValue() != 0L)
                .filter(e -> e.getKey().startsWith("cache_miss") || e.getKey().startsWith("remote")
                        || e.getKey().startsWith("kept_local") || e.getKey().startsWith("builder_failed")
                        || e.getKey().startsWith("node_"))
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" "));
    }
}
