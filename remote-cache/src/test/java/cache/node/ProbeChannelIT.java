package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.client.ProbeChannel;
import cache.node.client.ProbeRound;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProbeChannel} and {@link ProbeRound} against a real in-process {@code cached} node and
 * the real gcc: the caller-driven probe answers as {@link NodeClient}'s does, byte for byte and
 * with the same bytes sent; the handshake keeps the node's shared secret; a round returns the
 * answers in the order they arrive and gives up on a silent node at its deadline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProbeChannelIT {

    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final Duration CONNECT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static InetSocketAddress address(CachedNode node) {
        return new InetSocketAddress("127.0.0.1", node.address().getPort());
    }

    @Test
    void aProbeWrittenAndReadByTheCallerAnswersAsNodeClientsDoesWithTheSameBytesSent() throws Exception {
        CompilerSpec gcc = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        Digest key = Digest.of(input);
        try (CachedNode node = CachedNode.start(NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1));
                NodeClient client = NodeFixture.connect(node);
                ProbeChannel channel = ProbeChannel.connect(address(node), CONNECT, "test", null)) {
            client.compile(key, gcc, "cpp-output", List.of("-O2"), input).get(60, TimeUnit.SECONDS);
            byte[] expected = client.probe(key, gcc).get(10, TimeUnit.SECONDS).entry();
            long clientBefore = client.bytesSent();
            client.probe(key, gcc).get(10, TimeUnit.SECONDS);
            long perProbe = client.bytesSent() - clientBefore;
            for (int i = 0; i < 3; i++) { // the same channel, probe after probe
                long before = channel.bytesSent();
                channel.sendProbe(key, gcc, null, null);
                assertTrue(channel.owes());
                ProbeRound.Answer a = one(channel);
                assertTrue(a.hit(), "a hit: " + a);
                assertArrayEquals(expected, a.entry(), "the node's entry, as NodeClient receives it");
                assertFalse(channel.owes());
                assertEquals(perProbe, channel.bytesSent() - before, "the same frame as NodeClient's probe");
            }
            channel.sendProbe(NodeFixture.key("no such key"), gcc, null, null);
            assertTrue(one(channel).miss(), "an unknown key is a miss");
            assertEquals(0, NodeClient.decode(expected).exitCode());
        }
    }

    @Test
    void theHandshakeAnswersTheNodesChallengeAndWithoutTheSecretIsRefused() throws Exception {
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1).authSecret(SECRET);
        CompilerSpec gcc = NodeFixture.spec("gcc");
        try (CachedNode node = CachedNode.start(config)) {
            NodeClient.NodeException none = assertThrows(NodeClient.NodeException.class,
                    () -> ProbeChannel.connect(address(node), CONNECT, "test", null));
            assertEquals(ErrorCode.AUTH_REQUIRED, none.code());
            NodeClient.NodeException wrong = assertThrows(NodeClient.NodeException.class,
                    () -> ProbeChannel.connect(address(node), CONNECT, "test", "guess".getBytes(StandardCharsets.UTF_8)));
            assertEquals(ErrorCode.AUTH_FAILED, wrong.code());
            try (ProbeChannel ok = ProbeChannel.connect(address(node), CONNECT, "test", SECRET)) {
                ok.sendProbe(NodeFixture.key("k"), gcc, null, null);
                assertTrue(one(ok).miss(), "served once authenticated");
            }
        }
    }

    @Test
    void aRoundReturnsTheFirstAnswerToArriveAndGivesUpOnASilentNodeAtItsDeadline() throws Exception {
        CompilerSpec gcc = NodeFixture.spec("gcc");
        // A node that shakes hands and then never answers a probe (a hung node), listed first.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                CachedNode node = CachedNode.start(NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1))) {
            Thread t = new Thread(() -> handshakeThenSilence(silent), "silent-node");
            t.setDaemon(true);
            t.start();
            try (ProbeChannel hung = ProbeChannel.connect(new InetSocketAddress("127.0.0.1", silent.getLocalPort()),
                    CONNECT, "test", null);
                    ProbeChannel live = ProbeChannel.connect(address(node), CONNECT, "test", null)) {
                hung.sendProbe(NodeFixture.key("k"), gcc, null, null);
                live.sendProbe(NodeFixture.key("k"), gcc, null, null);
                try (ProbeRound round = new ProbeRound(List.of(hung, live))) {
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                    ProbeRound.Answer first = round.next(deadline);
                    assertSame(live, first.channel(), "the live node's answer first, though asked second");
                    assertTrue(first.miss());
                    assertNull(round.next(deadline), "nothing more before the deadline");
                    assertEquals(List.of(hung), round.unanswered(), "the silent node still owes its answer");
                    assertTrue(hung.owes());
                }
            }
        }
    }

    private static void handshakeThenSilence(ServerSocket server) {
        try (Socket s = server.accept()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] hello = new byte[in.readInt()];
            in.readFully(hello);
            s.getOutputStream().write(RawConnection.frame(new NodeProtocol.Welcome(1, NodeProtocol.VERSION,
                    "silent", new byte[0], NodeProtocol.MAX_FRAME)));
            while (in.read() >= 0) {
                // read the probes, answer none
            }
        } catch (Exception closed) {
            // the test is over
        }
    }

    /** The channel's answer, read by a round of one (bounded). */
    private static ProbeRound.Answer one(ProbeChannel c) throws Exception {
        try (ProbeRound round = new ProbeRound(List.of(c))) {
            ProbeRound.Answer a = round.next(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
            if (a == null) {
                throw new AssertionError("no answer within 10 s");
            }
            if (a.failure() != null) {
                throw new AssertionError("probe failed", a.failure());
            }
            return a;
        }
    }
}
