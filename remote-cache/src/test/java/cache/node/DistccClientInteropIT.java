package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The interop line of issue 20, server side: Debian's real {@code distcc} client and a
 * {@code cached} node on loopback, protocol 1 (plain) and 2 ({@code ,lzo}), for each case of the
 * acceptance (C, C++, warnings, an error, {@code -MD}, {@code -MMD -MF -MT}, {@code -g}).
 *
 * <p>Each case runs the command three ways: plain gcc, {@code distcc} to a real {@code distccd}
 * (what distcc itself gives), and {@code distcc} to {@code cached} twice. The node's answers
 * equal distccd's byte for byte (object, dependency file, stderr, exit code), and equal plain
 * gcc's wherever distcc's own do; the second identical job is a node hit and runs no compiler
 * (the node's {@code compiles_ok}, and a counting wrapper in front of gcc on the node's search
 * path). Where distcc itself differs from plain gcc ({@code docs/distributed.md}, "Real distcc
 * clients"): warnings of a compile of preprocessed text show no source lines, and a {@code -g}
 * object compiled from cpp's output has other DWARF columns. distcc's own messages
 * ({@code distcc[pid] …}) are not the compiler's and are left out of the comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistccClientInteropIT {

    @TempDir
    static Path dir;

    private String target;
    private Path compilerRuns;
    private CachedNode node;
    private Process distccd;

    @BeforeAll
    void startTheNodes() throws Exception {
        boolean present = Files.isExecutable(Path.of("/usr/bin/distcc")) && Files.isExecutable(Path.of("/usr/bin/distccd"));
        String ci = System.getenv("CI");
        if (!present && ci != null && !ci.isEmpty() && !ci.equals("false")) {
            throw new AssertionError("distcc is missing, and CI is set: .ci/run installs it");
        }
        Assumptions.assumeTrue(present, "distcc is not installed (and CI is not set): skipped");
        target = NodeFixture.run(List.of("gcc", "-dumpmachine"), null).strip();
        // Debian's distcc sends gcc as x86_64-linux-gnu-gcc (g++ likewise): whitelisted as /usr/lib/distcc does.
        Path whitelist = NodeFixture.whitelist(dir, "gcc", "g++", target + "-gcc", target + "-g++");
        compilerRuns = dir.resolve("compiler-runs");
        Path wrappers = countingWrappers(Files.createDirectories(dir.resolve("wrappers")), compilerRuns,
                List.of("gcc", "g++", target + "-gcc", target + "-g++"));
        List<Path> searchPath = new ArrayList<>(List.of(wrappers));
        searchPath.addAll(new NodeConfig().searchPath());
        node = CachedNode.start(NodeFixture.config(dir, whitelist, 2).searchPath(searchPath));

        int port = freePort();
        Path log = dir.resolve("distccd.log");
        ProcessBuilder pb = new ProcessBuilder("distccd", "--daemon", "--no-detach", "--listen", "127.0.0.1",
                "--port", String.valueOf(port), "--allow", "127.0.0.0/8", "--jobs", "2", "--log-stderr",
                "--log-level", "warning").redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("LC_ALL", "C");
        distccd = pb.start();
        distccdPort = port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                new Socket("127.0.0.1", port).close();
                break;
            } catch (IOException e) {
                assertTrue(distccd.isAlive() && System.nanoTime() < deadline, "distccd did not listen: "
                        + Files.readString(log));
                Thread.sleep(100);
            }
        }
    }

    private int distccdPort;

    @AfterAll
    void stopTheNodes() throws Exception {
        if (node != null) {
            node.close();
        }
        if (distccd != null) {
            distccd.destroy();
            if (!distccd.waitFor(20, TimeUnit.SECONDS)) {
                distccd.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cache.node.DistccInteropCases#byProtocol")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void realDistccOnCachedAnswersAsDistccdAndAsGccAndRepeatsFromTheNodeCache(String protocol,
            DistccInteropCases.Case c) throws Exception {
        String option = protocol.equals("lzo") ? ",lzo" : "";
        String name = (protocol + "_" + c.name()).replaceAll("[^A-Za-z0-9]", "_");
        // Salted per case: the cases share the node, and none may hit another's entry there.
        Path project = DistccInteropCases.writeSources(dir.resolve(name), name);

        Answer gcc = run(project, c, c.command(), null);
        Answer distccd = run(project, c, distcc(c), "127.0.0.1:" + distccdPort + option);
        Map<String, Long> before = node.stats().snapshot();
        long runsBefore = compilerRuns();
        String hosts = "127.0.0.1:" + node.address().getPort() + option;
        Answer first = run(project, c, distcc(c), hosts);
        Map<String, Long> afterFirst = node.stats().snapshot();
        long runsAfterFirst = compilerRuns();
        Answer second = run(project, c, distcc(c), hosts);
        Map<String, Long> afterSecond = node.stats().snapshot();
        long runsAfterSecond = compilerRuns();
        String story = c + " " + protocol + ": node " + delta(before, afterSecond) + ", compiler runs on the node "
                + (runsAfterFirst - runsBefore) + " then " + (runsAfterSecond - runsAfterFirst)
                + "\ngcc: " + gcc + "\ndistccd: " + distccd + "\ncached: " + first + "\ncached again: " + second;

        assertEquals(distccd, first, "the node answers as distccd does: " + story);
        assertEquals(first, second, "the repeated job answers the same: " + story);
        if (c.likeGcc()) {
            assertEquals(gcc, first, "as plain gcc, as distcc's own answer is: " + story);
        } else {
            assertEquals(gcc.exitCode, first.exitCode, "exit code as plain gcc's: " + story);
        }
        assertEquals(1L, afterFirst.get("compiles_ok") + afterFirst.get("compiles_failed")
                - before.get("compiles_ok") - before.get("compiles_failed"), "the first job ran on the node: " + story);
        assertEquals(1L, runsAfterFirst - runsBefore, "one compiler run for it: " + story);
        if (c.storedOnNode()) {
            assertEquals(1L, afterSecond.get("node_hits") - afterFirst.get("node_hits"),
                    "the repeated job is a node hit: " + story);
            assertEquals(afterFirst.get("compiles_ok"), afterSecond.get("compiles_ok"), "no second compile: " + story);
            assertEquals(0L, runsAfterSecond - runsAfterFirst, "no compiler ran for the hit: " + story);
        } else {
            assertEquals(0L, afterSecond.get("node_hits") - afterFirst.get("node_hits"),
                    "a failed compile is not stored, so never a hit: " + story);
        }
    }

    /** What a command left: exit code, stderr without distcc's own messages, and its output files. */
    private record Answer(int exitCode, String stderr, Map<String, byte[]> outputs) {
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Answer a) || a.exitCode != exitCode || !a.stderr.equals(stderr)
                    || !a.outputs.keySet().equals(outputs.keySet())) {
                return false;
            }
            for (Map.Entry<String, byte[]> e : outputs.entrySet()) {
                if (!java.util.Arrays.equals(e.getValue(), a.outputs.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return exitCode;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ", outputs " + outputs.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue().length + " bytes, "
                            + Integer.toHexString(java.util.Arrays.hashCode(e.getValue())) + ")")
                    .collect(Collectors.joining(", ")) + ", stderr:\n" + stderr;
        }
    }

    private static List<String> distcc(DistccInteropCases.Case c) {
        List<String> cmd = new ArrayList<>(List.of("distcc"));
        cmd.addAll(c.command());
        return cmd;
    }

    /** Runs {@code cmd} in {@code project} (through distcc to {@code hosts} when given) and takes its outputs. */
    private Answer run(Path project, DistccInteropCases.Case c, List<String> cmd, String hosts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("LC_ALL", "C");
        if (hosts != null) {
            env.put("DISTCC_HOSTS", hosts);
            // distcc's own fallback stays on: it is how distcc answers a failed remote compile
            // (run again here); the node counters say whether the job reached the node.
            env.put("DISTCC_DIR", Files.createTempDirectory(dir, "distcc-dir").toString());
            env.put("DISTCC_BACKOFF_PERIOD", "0");
        }
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS), "bounded: " + cmd);
        String compilerErr = err.lines().filter(l -> !l.startsWith("distcc[")).map(l -> l + "\n")
                .collect(Collectors.joining());
        return new Answer(p.exitValue(), compilerErr, DistccInteropCases.takeOutputs(project, c));
    }

    /** Scripts that count their compile runs (not the node's version questions) and run the real compiler. */
    private static Path countingWrappers(Path wrappers, Path runs, List<String> names) throws IOException {
        for (String name : names) {
            String real = name.endsWith("g++") ? "/usr/bin/g++" : "/usr/bin/gcc";
            Path w = wrappers.resolve(name);
            Files.writeString(w, "#!/bin/sh\n"
                    + "case \" $* \" in *' -c '*) echo x >> '" + runs + "';; esac\n"
                    + "exec " + real + " \"$@\"\n");
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return wrappers;
    }

    private long compilerRuns() throws IOException {
        return Files.exists(compilerRuns) ? Files.readAllLines(compilerRuns).size() : 0;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new HashMap<>();
        after.forEach((k, v) -> {
            long x = v - before.getOrDefault(k, 0L);
            if (x != 0 && !k.startsWith("bytes") && !k.contains("msecs") && !k.startsWith("uptime")) {
                d.put(k, x);
            }
        });
        return d;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return s.getLocalPort();
        }
    }
}
