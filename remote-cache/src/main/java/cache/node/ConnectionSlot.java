package cache.node;

import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One connection's place among the node's open connections, the same for both protocols'
 * handlers ({@link NodeHandler}, {@link DistccHandler}): the peer's name for the log,
 * {@code --max-connections} enforced (counted {@code too_many_connections}) and
 * {@code connections_open} kept. Taken once when the handler meets the channel, released once
 * when the channel goes; only the event loop of that channel touches it.
 */
final class ConnectionSlot {

    private static final Logger LOG = Logger.getLogger(ConnectionSlot.class.getName());

    private final NodeConfig config;
    private final NodeStats stats;
    private final AtomicInteger openConnections;
    private boolean counted;
    private String peer = "?";

    ConnectionSlot(NodeConfig config, NodeStats stats, AtomicInteger openConnections) {
        this.config = config;
        this.stats = stats;
        this.openConnections = openConnections;
    }

    /**
     * Takes a slot for the channel: false when {@code --max-connections} are open already, the
     * connection then refused (counted, logged as a refused {@code what}) and closed.
     */
    boolean take(ChannelHandlerContext ctx, String what) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            peer = a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        if (openConnections.incrementAndGet() > config.maxConnections()) {
            openConnections.decrementAndGet();
            stats.refused("too_many_connections");
            LOG.warning("refused " + what + " from " + peer + ": " + config.maxConnections()
                    + " connections open (--max-connections)");
            ctx.close();
            return false;
        }
        counted = true;
        stats.connectionOpened();
        return true;
    }

    /** Gives the slot back, once, if it was taken. */
    void release() {
        if (counted) {
            counted = false;
            openConnections.decrementAndGet();
            stats.connectionClosed();
        }
    }

    /** {@code address:port} of the peer, for the log. */
    String peer() {
        return peer;
    }
}
