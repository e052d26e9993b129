package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.TcpTransport;
import cache.store.OutputKind;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TcpTransport}: on Linux the node and the farm's connections run on Netty's epoll
 * transport, and a real node (real gcc, real socket) answers a client on epoll and one on the
 * JDK's NIO alike: the object compiled through one is the hit served to the other, byte for byte.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpTransportIT {

    @TempDir
    Path dir;

    @Test
    void onLinuxTheTransportIsEpollAndClientsOfEitherKindGetTheSameAnswers() throws Exception {
        if (Epoll.isAvailable()) {
            assertEquals("epoll", TcpTransport.name(), "Linux with the native library: epoll");
        }
        EventLoopGroup epoll = TcpTransport.group(1);
        EventLoopGroup nio = new NioEventLoopGroup(1);
        try {
            assertEquals(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class,
                    TcpTransport.socketChannel(epoll));
            assertEquals(NioSocketChannel.class, TcpTransport.socketChannel(nio), "a caller's NIO group keeps NIO");
            CompilerSpec spec = NodeFixture.spec("gcc");
            byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
            Digest key = NodeFixture.key("transport");
            NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
            try (CachedNode node = CachedNode.start(config);
                    NodeClient a = NodeFixture.connect(node, new NodeClient.Options().eventLoop(epoll));
                    NodeClient b = NodeFixture.connect(node, new NodeClient.Options().eventLoop(nio))) {
                byte[] compiled = a.compile(key, spec, "cpp-output", List.of("-O2"), input).get(60, TimeUnit.SECONDS)
                        .entry();
                assertArrayEquals(NodeFixture.compileLocally(dir, "gcc", List.of("-O2"), input),
                        NodeClient.decode(compiled).outputs().get(OutputKind.OBJECT), "node object == local object");
                NodeClient.ProbeResult hit = b.probe(key, spec).get(10, TimeUnit.SECONDS);
                assertTrue(hit.hit(), "the other transport's client finds it");
                assertArrayEquals(compiled, hit.entry(), "the stored bytes");
                assertArrayEquals(compiled, a.probe(key, spec).get(10, TimeUnit.SECONDS).entry(), "and so does the first");
            }
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
