package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.OutputKind;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Protocol version 3's liveness signal: while a compile runs, a version 3 connection hears a
 * WORKING frame every second and a long compile is not mistaken for a hang; a version 2
 * connection never sees the new frame; and a node that says nothing while answers are owed
 * fails the client's requests after its silence limit, not at the request timeout.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LivenessIT {

    private static final CompilerSpec SLOWCC = new CompilerSpec("slowcc", "1.0", "test-target");

    @TempDir
    Path dir;

    private CachedNode gatedNode(Path gate) throws Exception {
        Path bin = dir.resolve("bin");
        NodeFixture.fakeCompiler(bin, "slowcc", "1.0", "test-target", gate);
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "slowcc"), 2)
                .searchPath(List.of(bin, Path.of("/usr/bin"), Path.of("/bin")));
        return CachedNode.start(config);
    }

    private static NodeProtocol.Compile compile(int id, String key) {
        byte[] input = {'x'};
        return new NodeProtocol.Compile(id, NodeFixture.key(key), SLOWCC, "c", List.of(), input.length,
                com.github.luben.zstd.Zstd.compress(input));
    }

    @Test
    void aVersion3ConnectionHearsWorkingWhileItsCompileRuns() throws Exception {
        Path gate = dir.resolve("gate");
        try (CachedNode node = gatedNode(gate); RawConnection c = new RawConnection(node.address())) {
            c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, NodeProtocol.VERSION, "raw")));
            assertEquals(3, assertInstanceOf(NodeProtocol.Welcome.class, c.read()).version());
            c.write(RawConnection.frame(compile(7, "long")));
            // The compile waits for the gate: the only frames the node can send are keep-alives.
            for (int i = 0; i < 2; i++) {
                NodeProtocol.Working w = assertInstanceOf(NodeProtocol.Working.class, c.readFrame(),
                        "a WORKING frame while the compile runs");
                assertEquals(0, w.id(), "WORKING carries request id 0");
            }
            Files.createFile(gate);
            NodeProtocol.Result r = assertInstanceOf(NodeProtocol.Result.class, c.read());
            assertEquals(7, r.id());
        }
    }

    @Test
    void aVersion2ConnectionNeverSeesTheNewFrame() throws Exception {
        Path gate = dir.resolve("gate");
        try (CachedNode node = gatedNode(gate); RawConnection c = new RawConnection(node.address())) {
            c.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 2, "old client")));
            assertEquals(2, assertInstanceOf(NodeProtocol.Welcome.class, c.read()).version());
            c.write(RawConnection.frame(compile(7, "long-v2")));
            c.socket.setSoTimeout(3_000); // three keep-alive intervals
            assertThrows(SocketTimeoutException.class, c::readFrame, "nothing is sent to a version 2 client");
            c.socket.setSoTimeout(30_000);
            Files.createFile(gate);
            assertEquals(7, assertInstanceOf(NodeProtocol.Result.class, c.readFrame()).id());
        }
    }

    @Test
    void aCompileLongerThanTheSilenceLimitSucceedsOnAVersion3Node() throws Exception {
        Path gate = dir.resolve("gate");
        NodeClient.Options options = new NodeClient.Options().silenceLimit(Duration.ofSeconds(2));
        try (CachedNode node = gatedNode(gate); NodeClient client = NodeFixture.connect(node, options)) {
            CompletableFuture<NodeClient.CompileResult> job = client.compile(NodeFixture.key("longer"), SLOWCC, "c",
                    List.of(), new byte[] {'x'});
            Thread.sleep(5_000); // more than twice the silence limit, without an answer
            assertTrue(!job.isDone(), "the compile is still pending, not failed as silent: " + job);
            Files.createFile(gate);
            assertArrayEquals("fake object".getBytes(StandardCharsets.UTF_8),
                    NodeClient.decode(job.get(30, TimeUnit.SECONDS).entry()).outputs().get(OutputKind.OBJECT));
        }
    }

    @Test
    void aNodeThatFallsSilentFailsPendingRequestsAfterTheSilenceLimit() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread hung = new Thread(() -> {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] hello = new byte[in.readInt()];
                    in.readFully(hello);
                    int id = java.nio.ByteBuffer.wrap(hello).getInt(1);
                    s.getOutputStream().write(RawConnection.frame(new NodeProtocol.Welcome(id, 3, "hung", new byte[0],
                            NodeProtocol.MAX_FRAME)));
                    s.getOutputStream().flush();
                    // Then nothing, like a node that was stopped: reads whatever comes, answers nothing.
                    while (in.read() >= 0) {
                        // discard
                    }
                } catch (Exception e) {
                    // the client closed
                }
            });
            hung.setDaemon(true);
            hung.start();
            NodeClient.Options options = new NodeClient.Options().silenceLimit(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofMinutes(10));
            try (NodeClient client = NodeClient.connect("127.0.0.1", server.getLocalPort(), options)) {
                CompletableFuture<NodeClient.ProbeResult> p = client.probe(NodeFixture.key("k"), SLOWCC);
                ExecutionException e = assertThrows(ExecutionException.class, () -> p.get(40, TimeUnit.SECONDS));
                assertInstanceOf(NodeClient.NodeSilentException.class, e.getCause(), e.toString());
                assertTrue(!client.isOpen(), "the silent connection is closed");
            }
        }
    }
}
