package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.client.NodeClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code dist/bin/cached} process on a loopback address and a free port, with its own
 * whitelist ({@code gcc} and {@code g++}, as Debian's masquerade links), store and job directory; optionally a
 * compiler path of its own, so a test can give the node a {@code gcc} wrapper (slow, or of another
 * version). Stopped (and continued, when a test stopped it) by {@link #stop}.
 */
final class NodeProcess {

    final String address;
    final int port;
    final int slots;
    final Process process;
    final Path dir;
    private final Path logFile;

    /** How the test itself connects (a node's secret and TLS certificate, when it requires them). */
    private NodeClient.Options clientOptions = new NodeClient.Options();

    private NodeProcess(String address, int port, int slots, Process process, Path dir, Path logFile) {
        this.address = address;
        this.port = port;
        this.slots = slots;
        this.process = process;
        this.dir = dir;
        this.logFile = logFile;
    }

    /**
     * Starts a node with {@code slots} jobs.
     *
     * @param compilerPath the node's {@code --compiler-path}, or null for its default ($PATH)
     */
    static NodeProcess start(String address, Path dir, int slots, String compilerPath) throws Exception {
        return start(address, dir, slots, compilerPath, List.of(), new NodeClient.Options());
    }

    /**
     * {@link #start(String, Path, int, String)} with more of {@code cached}'s options ({@code
     * --auth-secret-file}, {@code --tls-cert} …), and how the test's own connections (its
     * counters) must connect to such a node.
     */
    static NodeProcess start(String address, Path dir, int slots, String compilerPath, List<String> extra,
            NodeClient.Options asClient) throws Exception {
        Path cached = CacheFixture.CLIENT.resolveSibling("cached");
        assertTrue(Files.isExecutable(cached), cached + " is built by mvn package");
        Path whitelist = Files.createDirectories(dir.resolve("whitelist"));
        for (String compiler : List.of("gcc", "g++")) {
            Files.createSymbolicLink(whitelist.resolve(compiler), Path.of("../../bin/distcc"));
        }
        int port = ServerProcesses.free(address);
        Path log = dir.resolve("cached.log");
        List<String> cmd = new ArrayList<>(List.of(cached.toString(), "--listen", address, "--port",
                String.valueOf(port), "--whitelist", whitelist.toString(), "--cache-dir",
                dir.resolve("store").toString(), "--tmp-dir", Files.createDirectories(dir.resolve("jobs")).toString(),
                "--jobs", String.valueOf(slots), "--log-level", "info"));
        if (compilerPath != null) {
            cmd.addAll(List.of("--compiler-path", compilerPath));
        }
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcesses.awaitListening("cached", p, address, port, log);
        NodeProcess node = new NodeProcess(address, port, slots, p, dir, log);
        node.clientOptions = asClient;
        return node;
    }

    /** Its {@code DISTCC_HOSTS} entry, {@code ADDRESS:PORT/LIMIT}. */
    String hostEntry(int limit) {
        return address + ":" + port + "/" + limit;
    }

    /** Its counters, asked over the protocol (never of a stopped node: that would wait). */
    Map<String, Long> stats() throws Exception {
        NodeClient.Options options = clientOptions.requestTimeout(Duration.ofSeconds(30))
                .connectTimeout(Duration.ofSeconds(10));
        try (NodeClient client = NodeClient.connect(address, port, options)) {
            return new LinkedHashMap<>(client.stats().get(30, TimeUnit.SECONDS));
        }
    }

    /** SIGSTOP (true) or SIGCONT (false) to the node's process. */
    void pause(boolean stop) throws Exception {
        // The shell's own kill: no procps needed.
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + (stop ? "STOP" : "CONT") + " " + process.pid())
                .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill " + (stop ? "-STOP" : "-CONT"));
    }

    String log() {
        return ServerProcesses.read(logFile);
    }

    void stop() throws Exception {
        if (!process.isAlive()) {
            return;
        }
        pause(false); // a stopped process does not act on SIGTERM
        ServerProcesses.stop(process);
    }

    @Override
    public String toString() {
        return "cached " + address + ":" + port;
    }
}
