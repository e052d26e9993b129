package cache.node;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The HTTP stats port ({@code --stats}, {@code --stats-port}), behind the same {@code --allow}
 * filter as the node: {@code /} the distccd-style text page, {@code /json}, {@code /metrics}
 * (Prometheus). One request per connection, as distccd; small requests only.
 */
final class StatsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StatsServer.class.getName());

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private Channel channel;

    static StatsServer start(NodeConfig config, NodeStats stats) throws IOException {
        StatsServer s = new StatsServer();
        try {
            s.bind(config, stats);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void bind(NodeConfig config, NodeStats stats) throws IOException {
        ChannelHandler filter = NodeServer.addressFilter(config.allow(), stats, "stats");
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(filter);
                        ch.pipeline().addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS));
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast(new HttpObjectAggregator(8192));
                        ch.pipeline().addLast(new Page(stats, config));
                    }
                });
        try {
            channel = b.bind(config.listen(), config.statsPort()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the stats port");
        } catch (Exception e) {
            throw new IOException("cannot listen on " + config.listen() + ":" + config.statsPort() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("stats on http://" + address().getHostString() + ":" + address().getPort() + "/");
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static final class Page extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final NodeStats stats;
        private final NodeConfig config;

        Page(NodeStats stats, NodeConfig config) {
            this.stats = stats;
            this.config = config;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            java.util.Map<String, Long> s = stats.snapshot();
            s.put("jobs_limit", (long) config.jobs());
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            HttpResponseStatus status = HttpResponseStatus.OK;
            String type = "text/plain; charset=utf-8";
            String body;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                body = "GET only\n";
            } else if (path.equals("/json") || path.equals("/stats.json")) {
                type = "application/json";
                body = StatsFormats.json(s);
            } else if (path.equals("/metrics")) {
                type = "text/plain; version=0.0.4; charset=utf-8";
                body = StatsFormats.prometheus(s);
            } else {
                body = StatsFormats.text(s);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(bytes));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            resp.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
