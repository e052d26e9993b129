package cache.benchmarks;

import cache.hashing.Digest;
import cache.node.CachedNode;
import cache.node.NodeConfig;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A real {@code cached} node on loopback (in this JVM, real socket, real RocksDB, real gcc),
 * driven by {@link NodeClient}: a node hit (probe + entry, checksum verified) against a node
 * miss (probe, upload of the zstd preprocessed input, gcc -O2, store, reply) for a small C
 * file, and hit throughput with four clients on their own connections.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar NodeBenchmark}.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NodeBenchmark {

    private static final String SOURCE = """
            #include <stdio.h>
            #include <string.h>
            static int table[64];
            int work(const char *s) {
                for (int i = 0; i < 64; i++) table[i] = (int) strlen(s) * i;
                return table[strlen(s) & 63];
            }
            int main(int argc, char **argv) { printf("%d\\n", work(argc > 1 ? argv[1] : "x")); return 0; }
            """;

    private Path dir;
    private CachedNode node;
    private NodeClient client;
    CompilerSpec gcc;
    byte[] input;
    Digest hitKey;
    private final AtomicLong missCounter = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING); // one line per compile otherwise
        dir = Files.createTempDirectory("jmh-node");
        Path whitelist = Files.createDirectories(dir.resolve("whitelist"));
        Files.createSymbolicLink(whitelist.resolve("gcc"), Path.of("../../bin/distcc"));
        node = CachedNode.start(new NodeConfig().listen("127.0.0.1").port(0).jobs(2).nice(0)
                .cacheDir(dir.resolve("store")).whitelist(whitelist)
                .tmpDir(Files.createDirectories(dir.resolve("tmp"))));
        client = connect();
        gcc = new CompilerSpec("gcc", run("gcc", "-dumpfullversion"), run("gcc", "-dumpmachine"));
        Files.writeString(dir.resolve("small.c"), SOURCE);
        run("gcc", "-E", dir.resolve("small.c").toString(), "-o", dir.resolve("small.i").toString());
        input = Files.readAllBytes(dir.resolve("small.i"));
        hitKey = Digest.of("hit".getBytes(StandardCharsets.UTF_8));
        client.compile(hitKey, gcc, "cpp-output", List.of("-O2"), input).get();
        long before = client.bytesSent();
        if (!client.probe(hitKey, gcc).get().hit()) {
            throw new IllegalStateException("no hit after compile");
        }
        System.out.println("\nbytes sent by the client for one node hit: " + (client.bytesSent() - before)
                + " (preprocessed input: " + input.length + " bytes)");
    }

    NodeClient connect() throws IOException {
        return NodeClient.connect("127.0.0.1", node.address().getPort(), new NodeClient.Options());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        client.close();
        node.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A node hit as the distributor sees it: probe, entry back, checksum and zstd verified. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public CacheEntry hit() throws Exception {
        return NodeClient.decode(client.probe(hitKey, gcc).get().entry());
    }

    /** A node miss: probe, then upload and compile under a key never seen before. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public CacheEntry miss() throws Exception {
        Digest key = Digest.of(("miss-" + missCounter.incrementAndGet() + "-" + System.nanoTime())
                .getBytes(StandardCharsets.UTF_8));
        if (client.probe(key, gcc).get().hit()) {
            throw new IllegalStateException("unexpected hit");
        }
        return NodeClient.decode(client.compile(key, gcc, "cpp-output", List.of("-O2"), input).get().entry());
    }

    /** One connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Connection {
        NodeClient client;

        @Setup(Level.Trial)
        public void open(NodeBenchmark node) throws IOException {
            client = node.connect();
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    /** Hits per second with four clients, each on its own connection. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public CacheEntry hitThroughput(Connection c) throws Exception {
        return NodeClient.decode(c.client.probe(hitKey, gcc).get().entry());
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }
}
