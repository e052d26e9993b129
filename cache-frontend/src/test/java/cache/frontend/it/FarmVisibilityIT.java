package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeing the farm (issue 19), end to end with the real client, a real {@code cached} node and
 * real gcc: why misses stayed here or fell back shows in {@code cache -s -v} and {@code
 * --print-stats}, a malformed host list in plain {@code -s}; a job in flight shows in {@code
 * cache --monitor}, in Debian's real {@code distccmon-text} (through distcc's state files) and
 * on the daemon's Prometheus port, scraped with the JDK's HTTP client.
 *
 * <p>The slow job runs {@code slowgcc}, a whitelisted wrapper that sleeps before a compile
 * ({@code -c}) and is gcc otherwise, so that the monitors have something to see; the tests
 * poll until the job's client exits and assert what they saw, never how long anything took.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FarmVisibilityIT {

    private static final String NODE_ADDRESS = "127.0.0.2";

    @TempDir
    static Path tmp;

    private Process node;
    private int nodePort;
    private Path nodeLog;
    private Path project;
    private Path wrappers;

    @BeforeAll
    void startTheNode() throws Exception {
        Path cached = CacheFixture.CLIENT.resolveSibling("cached");
        assertTrue(Files.isExecutable(cached), cached + " is built by mvn package");
        wrappers = Files.createDirectories(tmp.resolve("wrappers"));
        Path slow = wrappers.resolve("slowgcc");
        Files.writeString(slow, """
                #!/bin/sh
                for a in "$@"; do [ "$a" = -c ] && sleep 4; done
                exec gcc "$@"
                """);
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createDirectories(tmp.resolve("node"));
        Path whitelist = Files.createDirectories(dir.resolve("whitelist"));
        Files.createSymbolicLink(whitelist.resolve("gcc"), Path.of("../../bin/distcc"));
        Files.createSymbolicLink(whitelist.resolve("slowgcc"), Path.of("../../bin/distcc"));
        nodePort = freePort(NODE_ADDRESS);
        nodeLog = dir.resolve("cached.log");
        ProcessBuilder pb = new ProcessBuilder(cached.toString(), "--listen", NODE_ADDRESS, "--port",
                String.valueOf(nodePort), "--whitelist", whitelist.toString(), "--compiler-path",
                wrappers + ":" + System.getenv("PATH"), "--cache-dir", dir.resolve("store").toString(), "--tmp-dir",
                Files.createDirectories(dir.resolve("jobs")).toString(), "--jobs", "2", "--log-level", "info")
                .redirectErrorStream(true).redirectOutput(nodeLog.toFile());
        node = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertTrue(node.isAlive(), "cached exited: " + Files.readString(nodeLog));
            try {
                new Socket(NODE_ADDRESS, nodePort).close();
                break;
            } catch (IOException e) {
                assertTrue(System.nanoTime() < deadline, "cached did not listen: " + Files.readString(nodeLog));
                Thread.sleep(100);
            }
        }
        project = Files.createDirectories(tmp.resolve("project"));
        for (String name : List.of("a1", "a2", "b1", "b2", "c1", "c2", "d1", "d2", "slow")) {
            Files.writeString(project.resolve(name + ".c"), "int " + name + "(int x) { return x * 3 + "
                    + name.hashCode() % 97 + "; }\n");
        }
        try (var files = Files.list(project)) { // no source is "too new" for direct mode
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            }
        }
    }

    @AfterAll
    void stopTheNode() throws Exception {
        if (node != null) {
            node.destroy();
            if (!node.waitFor(20, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            System.out.println("--- cached log ---\n" + Files.readString(nodeLog));
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void whyMissesStayedHereShowsInVerboseStats() throws Exception {
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("kept"), hostEntry())) {
            compile(cache, "gcc", "-O2", "a1.c");
            compile(cache, "gcc", "-O2", "a2.c");
            compile(cache, "gcc", "-O2 -fstack-usage", "b1.c");
            compile(cache, "gcc", "-O2 -fstack-usage", "b2.c");
            Map<String, Long> s = cache.stats();
            assertEquals(2L, s.get("remote_compile"), "the plain calls went to the node: " + s);
            assertEquals(2L, s.get("kept_local"), "the -fstack-usage calls stayed here: " + s);
            assertEquals(2L, s.get("kept_local_extra_outputs"), "… for their .su file: " + s);
            String verbose = cache.cache(project, "-s", "-v").out();
            assertMatches(verbose, "\n  Kept local: +2 / +4 \\(50\\.00%\\)\n    Outputs besides the object: +2 / +2 \\(100\\.0%\\)\n");
            assertEquals(verbose, cache.cache(project, "-sv").out(), "-sv is -s -v");
            assertFalse(cache.cache(project, "-s").out().contains("Outputs besides"), "plain -s lists no reasons");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aMalformedHostListShowsInPlainStats() throws Exception {
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("malformed"), NODE_ADDRESS + ":notaport")) {
            compile(cache, "gcc", "-O2", "c1.c");
            compile(cache, "gcc", "-O2", "c2.c");
            assertEquals(2L, cache.stats().get("kept_local_host_list_malformed"), cache.stats().toString());
            assertMatches(cache.cache(project, "-s").out(), "\n    Host list malformed: +2 / +2 \\(100\\.0%\\)\n");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDeadNodesFallbacksShowTheirReason() throws Exception {
        String dead = "127.0.0.1:" + freePort("127.0.0.1") + "/2"; // nothing listens there
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("dead"), dead)) {
            compile(cache, "gcc", "-O2", "d1.c");
            compile(cache, "gcc", "-O2", "d2.c");
            Map<String, Long> s = cache.stats();
            assertEquals(2L, s.get("builder_failed"), "both calls fell back: " + s);
            long reasons = s.entrySet().stream().filter(e -> e.getKey().startsWith("builder_failed_"))
                    .mapToLong(Map.Entry::getValue).sum();
            assertEquals(2L, reasons, "each fallback counts one reason: " + s);
            assertEquals(1L, s.get("builder_failed_unreachable"), "the first call found the node unreachable: " + s);
            assertEquals(1L, s.get("builder_failed_no_healthy_node"), "the second found it backed off: " + s);
            assertMatches(cache.cache(project, "-s", "-v").out(), "\n  Node failures: +2 / +2 \\(100\\.0%\\)\n"
                    + "    Every node backed off: +1 / +2 \\(50\\.00%\\)\n    Node unreachable: +1 / +2 \\(50\\.00%\\)\n");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aJobInFlightShowsInCacheMonitorAndInDistccmonText() throws Exception {
        boolean distccmon = Prerequisites.available(Files.isExecutable(Path.of("/usr/bin/distccmon-text")),
                "distccmon-text (Debian package distcc)");
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve("monitor"), hostEntry())) {
            cache.env.put("PATH", wrappers + ":" + cache.env.get("PATH"));
            int metricsPort = freePort("127.0.0.1");
            cache.env.put("CACHE_METRICS_PORT", String.valueOf(metricsPort)); // read by the daemon it starts
            assertEquals("\n", cache.cache(project, "--monitor").out(), "no daemon: no job, one blank line");
            assertFalse(Files.exists(cache.runtimeDir.resolve("cache/d.pid")), "a monitor starts no daemon");
            assertEquals(0, cache.cache(project, "--start-daemon").exitCode());
            assertEquals("\n", cache.cache(project, "--monitor").out(), "no job, one blank line");
            CompletableFuture<CacheFixture.Result> job = CompletableFuture.supplyAsync(() -> {
                try {
                    return cache.run(project, List.of(CacheFixture.CLIENT.toString(), "slowgcc", "-O2", "-c",
                            "slow.c", "-o", "slow.o"));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            String host = NODE_ADDRESS + ":" + nodePort;
            Pattern ours = Pattern.compile("(?m)^ *\\d+  Compile +slow\\.c +" + Pattern.quote(host) + "\\[0\\]$");
            List<String> monitorSeen = new ArrayList<>();
            List<String> distccmonSeen = new ArrayList<>();
            List<String> metricsSeen = new ArrayList<>();
            String jobGauge = "\ncache_farm_jobs{node=\"" + host + "\",phase=\"compile\"} 1\n";
            Map<String, String> distccEnv = new HashMap<>(cache.env);
            while (!job.isDone()) {
                String m = cache.cache(project, "--monitor").out();
                if (ours.matcher(m).find()) {
                    monitorSeen.add(m);
                }
                if (scrape(metricsPort).contains(jobGauge)) {
                    metricsSeen.add(jobGauge);
                }
                if (distccmon) {
                    String d = CacheFixture.run(project, List.of("distccmon-text"), distccEnv).out();
                    if (ours.matcher(d).find()) {
                        distccmonSeen.add(d);
                    }
                }
                Thread.sleep(100);
            }
            CacheFixture.Result r = job.get();
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(1L, cache.stats().get("remote_compile"), "the slow job ran on the node");
            assertFalse(monitorSeen.isEmpty(), "cache --monitor listed the job on " + host + " while it ran");
            assertEquals("\n", cache.cache(project, "--monitor").out(), "the job is gone once done");
            assertFalse(metricsSeen.isEmpty(), "the metrics port showed the job on " + host + " while it ran");
            String metrics = scrape(metricsPort);
            assertMatches(metrics, "\ncache_remote_compile_total\\{cache_dir=\"" + Pattern.quote(cache.cacheDir.toString())
                    + "\"\\} 1\n");
            assertMatches(metrics, "\ncache_farm_node_up\\{node=\"" + Pattern.quote(host) + "\"\\} 1\n");
            assertFalse(metrics.contains("cache_farm_jobs{node"), "no job in flight any more:\n" + metrics);
            assertEquals(1, cache.cache(project, "--monitor", "x").exitCode(), "a bad interval is refused");
            if (distccmon) {
                assertFalse(distccmonSeen.isEmpty(), "distccmon-text listed the job on " + host + " while it ran");
                try (var files = Files.list(Files.createDirectories(Path.of(cache.env.get("DISTCC_DIR"), "state")))) {
                    assertEquals(List.of(), files.map(p -> p.getFileName().toString()).toList(),
                            "the state file is removed when the job is done");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------

    private String hostEntry() {
        return NODE_ADDRESS + ":" + nodePort + "/2";
    }

    private void compile(CacheFixture cache, String compiler, String flags, String src) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CacheFixture.CLIENT.toString(), compiler));
        cmd.addAll(List.of(flags.split(" ")));
        cmd.addAll(List.of("-c", src, "-o", src.replace(".c", ".o")));
        CacheFixture.Result r = cache.run(project, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + ": " + r.err());
    }

    /** {@code GET /metrics} on the daemon's metrics port, with the JDK's HTTP client. */
    private static String scrape(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        return r.body();
    }

    private static void assertMatches(String text, String regex) {
        assertTrue(Pattern.compile(regex).matcher(text).find(), "expected /" + regex + "/ in:\n" + text);
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return s.getLocalPort();
        }
    }
}
