package cache.node;

import cache.node.protocol.ByteCounter;
import cache.node.protocol.MessageCodec;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.TcpTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.handler.ipfilter.RuleBasedIpFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The node's TCP listener, on {@link TcpTransport}'s event loops (epoll on Linux). Each
 * connection's pipeline, in order:
 * <ol>
 *   <li>the address filter ({@code --allow}): a client outside it is closed on registration,
 *       before a byte is read;</li>
 *   <li>a {@link ByteCounter} (stats bytes_in/bytes_out, on the wire);</li>
 *   <li>the idle timer;</li>
 *   <li>{@link ProtocolSniffer}: a connection whose first bytes are {@code DIST} is a real
 *       distcc client, served by {@link DistccHandler} (only when the node requires no
 *       authentication); any other gets the native handlers below;</li>
 *   <li>TLS when configured;</li>
 *   <li>the length-prefixed frame splitter (refusing an over-long frame from
 *       its length field, before allocating it) and the message codec;</li>
 *   <li>{@link NodeHandler}: handshake, authentication, requests.</li>
 * </ol>
 */
public final class NodeServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NodeServer.class.getName());

    private final EventLoopGroup boss = TcpTransport.group(1);
    private final EventLoopGroup workers;
    private final List<Channel> channels = new ArrayList<>();
    private InetSocketAddress address;

    private NodeServer(int workerThreads) {
        this.workers = TcpTransport.group(workerThreads);
    }

    /** Binds the node's port (and nothing else); the service answers the requests. */
    public static NodeServer start(NodeConfig config, NodeService service) throws IOException {
        NodeServer server = new NodeServer(Math.min(4, Runtime.getRuntime().availableProcessors()));
        try {
            server.bind(config, service);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind(NodeConfig config, NodeService service) throws IOException {
        NodeStats stats = service.stats();
        ChannelHandler filter = addressFilter(config.allow(), stats, "node");
        SslContext tls = tlsContext(config);
        AtomicInteger open = new AtomicInteger();
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(TcpTransport.serverChannel(workers))
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("filter", filter);
                        ch.pipeline().addLast("bytes", new ByteCounter(stats::bytesIn, stats::bytesOut));
                        ch.pipeline().addLast("idle", new IdleStateHandler(
                                config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("sniffer", new ProtocolSniffer(p -> {
                            if (tls != null) {
                                p.addLast("tls", tls.newHandler(ch.alloc()));
                            }
                            p.addLast("frames", NodeProtocol.frameDecoder(config.maxFrame()));
                            p.addLast("codec", new MessageCodec());
                            p.addLast("node", new NodeHandler(config, service, open));
                        }, p -> p.addLast("distcc", new DistccHandler(config, service, open)),
                                tls == null && config.authSecret() == null, stats));
                    }
                });
        address = bindTo(b, config.listen(), config.port());
        LOG.info("listening on " + address + " (" + TcpTransport.name() + ")" + (tls != null ? " (TLS)" : "")
                + (config.authSecret() != null ? " (shared-secret authentication)" : ""));
    }

    InetSocketAddress bindTo(ServerBootstrap b, String host, int port) throws IOException {
        try {
            Channel ch = b.bind(host, port).sync().channel();
            channels.add(ch);
            return (InetSocketAddress) ch.localAddress();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + host + ":" + port);
        } catch (Exception e) {
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /**
     * The {@code --allow} rules as a Netty filter that rejects everything not listed. With no
     * rule, loopback only (127.0.0.0/8 and ::1).
     */
    static ChannelHandler addressFilter(List<String> allow, NodeStats stats, String what) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        List<String> nets = allow.isEmpty() ? List.of("127.0.0.0/8", "::1/128") : allow;
        for (String spec : nets) {
            rules.add(parseRule(spec));
        }
        return new LoggingIpFilter(stats, what, rules.toArray(new IpSubnetFilterRule[0]));
    }

    /** {@code IP[/BITS]}; a bare address is a single host. */
    static IpSubnetFilterRule parseRule(String spec) {
        int slash = spec.indexOf('/');
        String ip = slash < 0 ? spec : spec.substring(0, slash);
        boolean v6 = ip.indexOf(':') >= 0;
        int bits;
        try {
            bits = slash < 0 ? (v6 ? 128 : 32) : Integer.parseInt(spec.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--allow " + spec + ": bits must be a number");
        }
        if (bits < 0 || bits > (v6 ? 128 : 32)) {
            throw new IllegalArgumentException("--allow " + spec + ": bad prefix length " + bits);
        }
        try {
            return new IpSubnetFilterRule(ip, bits, IpFilterRuleType.ACCEPT);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--allow " + spec + ": " + e.getMessage(), e);
        }
    }

    static SslContext tlsContext(NodeConfig config) throws IOException {
        if (config.tlsCert() == null && config.tlsKey() == null) {
            return null;
        }
        if (config.tlsCert() == null || config.tlsKey() == null) {
            throw new IOException("TLS needs both --tls-cert and --tls-key");
        }
        try {
            return SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build();
        } catch (Exception e) {
            throw new IOException("cannot load TLS certificate/key: " + e.getMessage(), e);
        }
    }

    /** Rejects unlisted clients on registration (before any read), logging and counting each. */
    @ChannelHandler.Sharable
    static final class LoggingIpFilter extends RuleBasedIpFilter {
        private final NodeStats stats;
        private final String what;

        LoggingIpFilter(NodeStats stats, String what, IpSubnetFilterRule... rules) {
            super(false, rules);
            this.stats = stats;
            this.what = what;
        }

        @Override
        protected io.netty.channel.ChannelFuture channelRejected(ChannelHandlerContext ctx,
                InetSocketAddress remote) {
            stats.refused("not_allowed");
            LOG.warning("dropped " + what + " connection from " + remote.getAddress().getHostAddress()
                    + ": not in --allow");
            return null;
        }
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
