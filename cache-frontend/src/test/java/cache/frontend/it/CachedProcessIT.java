package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code dist/bin/cached} as a separate process on loopback, driven by the protocol
 * client: probe miss, compile, probe hit with the same bytes, and the object equals gcc's own
 * on the same preprocessed input; with {@code --nice N} the compiler runs N lower than the
 * node's caller while the node's own threads (its I/O, which answers probes) keep their
 * priority.
 */
@Timeout(120)
class CachedProcessIT {

    @TempDir
    Path tmp;

    @Test
    void theInstalledNodeAnswersMissCompileHit() throws Exception {
        Path cached = CacheFixture.CLIENT.resolveSibling("cached");
        assertTrue(Files.isExecutable(cached), cached + " is built by mvn package");
        Path whitelist = Files.createDirectories(tmp.resolve("whitelist"));
        Files.createSymbolicLink(whitelist.resolve("gcc"), Path.of("../../bin/distcc"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process node = new ProcessBuilder(cached.toString(), "--listen", "127.0.0.1", "--port", String.valueOf(port),
                "--whitelist", whitelist.toString(), "--cache-dir", tmp.resolve("store").toString(),
                "--tmp-dir", Files.createDirectories(tmp.resolve("jobs")).toString(), "--jobs", "2")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("cached.log").toFile()).start();
        try {
            ServerProcesses.awaitListening("cached", node, "127.0.0.1", port, tmp.resolve("cached.log"));
            Path src = Files.writeString(tmp.resolve("hello.c"), "int answer(void) { return 42; }\n");
            assertEquals(0, new ProcessBuilder("gcc", "-E", src.toString(), "-o", tmp.resolve("hello.i").toString())
                    .inheritIO().start().waitFor());
            byte[] input = Files.readAllBytes(tmp.resolve("hello.i"));
            CompilerSpec spec = new CompilerSpec("gcc", output("gcc", "-dumpfullversion"), output("gcc", "-dumpmachine"));
            Digest key = Digest.of("process-it".getBytes(StandardCharsets.UTF_8));
            NodeClient.Options options = new NodeClient.Options().requestTimeout(Duration.ofSeconds(60));
            try (NodeClient client = NodeClient.connect("127.0.0.1", port, options)) {
                assertFalse(client.probe(key, spec).get(60, TimeUnit.SECONDS).hit());
                NodeClient.CompileResult r = client.compile(key, spec, "cpp-output", List.of("-O2"), input)
                        .get(60, TimeUnit.SECONDS);
                assertTrue(r.stored());
                byte[] hit = client.probe(key, spec).get(60, TimeUnit.SECONDS).entry();
                assertArrayEquals(r.entry(), hit, "the hit returns the stored bytes");
                CacheEntry e = NodeClient.decode(hit);
                assertEquals(0, e.exitCode());
                assertEquals(0, new ProcessBuilder("gcc", "-O2", "-c", "-x", "cpp-output", "hello.i", "-o", "local.o")
                        .directory(tmp.toFile()).inheritIO().start().waitFor());
                assertArrayEquals(Files.readAllBytes(tmp.resolve("local.o")), e.outputs().get(OutputKind.OBJECT),
                        "the node's object equals gcc's own");
            }
            // The launcher execs the JVM (same pid); the node encoded the entry it stored (zstd).
            CacheFixture.assertNativeLibrariesFromDist(node.pid());
        } finally {
            ServerProcesses.stop(node);
        }
    }

    private static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return s;
    }

    @Test
    void withNiceTheCompilersRunRenicedAndTheNodeItselfDoesNot() throws Exception {
        Path cached = CacheFixture.CLIENT.resolveSibling("cached");
        assertTrue(Files.isExecutable(cached), cached + " is built by mvn package");
        // A compiler that answers the identity questions and writes its own niceness as the object.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path cc = Files.writeString(bin.resolve("nicecc"), """
                #!/bin/sh
                case "$1" in
                -dumpfullversion | -dumpversion) echo 1.0; exit 0 ;;
                -dumpmachine) echo test-target; exit 0 ;;
                esac
                while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done
                read -r line </proc/$$/stat
                set -- ${line##*") "}
                shift 16
                echo "$1" >"$out"
                """);
        assertTrue(cc.toFile().setExecutable(true));
        Path whitelist = Files.createDirectories(tmp.resolve("whitelist"));
        Files.createSymbolicLink(whitelist.resolve("nicecc"), Path.of("../../bin/distcc"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int base = niceness(Path.of("/proc/thread-self/stat"));
        Process node = new ProcessBuilder(cached.toString(), "--listen", "127.0.0.1", "--port", String.valueOf(port),
                "--whitelist", whitelist.toString(), "--compiler-path", bin.toString(),
                "--cache-dir", tmp.resolve("store").toString(), "--nice", "3", "--log-level", "info",
                "--tmp-dir", Files.createDirectories(tmp.resolve("jobs")).toString(), "--jobs", "2")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("cached.log").toFile()).start();
        try {
            ServerProcesses.awaitListening("cached", node, "127.0.0.1", port, tmp.resolve("cached.log"));
            int expected = Math.min(19, base + 3);
            CompilerSpec spec = new CompilerSpec("nicecc", "1.0", "test-target");
            try (NodeClient client = NodeClient.connect("127.0.0.1", port,
                    new NodeClient.Options().requestTimeout(Duration.ofSeconds(60)))) {
                CacheEntry e = NodeClient.decode(client.compile(Digest.of("nice-it".getBytes(StandardCharsets.UTF_8)),
                        spec, "c", List.of(), "int x;\n".getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS)
                        .entry());
                assertEquals(0, e.exitCode(), new String(e.stderr(), StandardCharsets.UTF_8));
                assertEquals(String.valueOf(expected), new String(e.outputs().get(OutputKind.OBJECT),
                        StandardCharsets.UTF_8).strip(), "the compiler inherits the node's niceness");
            }
            assertEquals(base, niceness(Path.of("/proc", Long.toString(node.pid()), "stat")),
                    "the node's main thread keeps the caller's niceness");
        } finally {
            ServerProcesses.stop(node);
        }
    }

    /** Field 19 of a {@code stat} file. */
    private static int niceness(Path stat) throws IOException {
        String s = Files.readString(stat);
        return Integer.parseInt(s.substring(s.lastIndexOf(')') + 2).trim().split(" ")[16]);
    }
}
