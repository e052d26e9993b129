package cache.frontend.daemon;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's optional metrics port ({@code CACHE_METRICS_PORT}, off by default; on {@code
 * CACHE_METRICS_ADDRESS}, default {@code 127.0.0.1}): {@code GET /metrics} (any path) answers
 * {@link MetricsText}, one request per connection, as {@code cached}'s stats port does.
 */
final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsServer.class.getName());
    static final String PORT = "CACHE_METRICS_PORT";
    static final String ADDRESS = "CACHE_METRICS_ADDRESS";

    private final EventLoopGroup group = new NioEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "metrics");
        t.setDaemon(true);
        return t;
    });
    private Channel channel;

    /**
     * The server {@code env} asks for, or null when it asks for none.
     *
     * @throws IOException when the port is not a number or cannot be bound (the daemon serves on without it)
     */
    static MetricsServer fromEnvironment(Map<String, String> env, Supplier<String> page) throws IOException {
        String port = env.getOrDefault(PORT, "").trim();
        if (port.isEmpty() || port.equals("off")) {
            return null;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IOException(PORT + " is not a port number: " + port);
        }
        if (p < 0 || p > 65535) {
            throw new IOException(PORT + " is not a port number: " + port);
        }
        String address = env.getOrDefault(ADDRESS, "").trim();
        MetricsServer s = new MetricsServer();
        try {
            s.bind(address.isEmpty() ? "127.0.0.1" : address, p, page);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void bind(String address, int port, Supplier<String> page) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS));
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast(new HttpObjectAggregator(8192));
                        ch.pipeline().addLast(new Page(page));
                    }
                });
        try {
            channel = b.bind(address, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding the metrics port");
        } catch (Exception e) {
            throw new IOException("cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("metrics on http://" + address().getHostString() + ":" + address().getPort() + "/metrics");
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static final class Page extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<String> page;

        Page(Supplier<String> page) {
            this.page = page;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            HttpResponseStatus status = HttpResponseStatus.OK;
            String body;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                body = "GET only\n";
            } else {
                try {
                    body = page.get();
                } catch (RuntimeException e) {
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    body = "metrics failed: " + e + "\n";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(req.method().equals(HttpMethod.HEAD) ? new byte[0] : bytes));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
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
