package cache.node.protocol;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * The TCP transport of the node protocol, on both ends (the node's listener, the farm's
 * connections): Netty's native epoll transport where it loads (Linux), the JDK's NIO otherwise.
 *
 * <p>Why epoll: a node hit is a handful of small frames, and its cost on loopback is not the
 * bytes but the wake-ups, the daemon's thread handing the probe to its event loop, the node's
 * loop woken by the frame, the daemon's by the answer. The native transport wakes a loop with
 * an eventfd and reads with edge-triggered epoll, without the JDK selector's key sets and
 * their garbage ({@code docs/benchmarks.md}, session 16, measures the two side by side).
 * {@code -Dcache.tcpTransport=nio} keeps NIO, for that comparison or where epoll misbehaves.
 */
public final class TcpTransport {

    private static final boolean EPOLL = !"nio".equals(System.getProperty("cache.tcpTransport"))
            && Epoll.isAvailable();

    private TcpTransport() {
    }

    /** "epoll" or "nio": what {@link #group} makes in this JVM. */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** An event-loop group of {@code threads} threads of the transport in use. */
    public static EventLoopGroup group(int threads, ThreadFactory factory) {
        return EPOLL ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    /** {@link #group(int, ThreadFactory)} with Netty's default thread names. */
    public static EventLoopGroup group(int threads) {
        return EPOLL ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    /** The client channel class that runs on {@code group} (a caller's group may be either kind). */
    public static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The listening channel class that runs on {@code group}. */
    public static Class<? extends ServerSocketChannel> serverChannel(EventLoopGroup group) {
        return group instanceof EpollEventLoopGroup ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
