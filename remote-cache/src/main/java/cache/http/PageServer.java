package cache.http;

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

/**
 * A read-only HTTP port that serves small text pages, one request per connection (as distccd's
 * stats port): {@code cached}'s stats port and the daemon's metrics port. {@code GET} and
 * {@code HEAD} only (405 otherwise; a {@code HEAD} answer has the length and no body); a page
 * that fails is a 500 with its message, and the port serves on. Requests are small (8 KiB) and
 * must arrive within 10 s.
 */
public final class PageServer implements AutoCloseable {

    /** One page: its {@code Content-Type} and text. */
    public record Page(String contentType, String body) {}

    /** The page for a request's path (without its query string). */
    @FunctionalInterface
    public interface Pages {
        Page get(String path);
    }

    private final EventLoopGroup group;
    private Channel channel;

    private PageServer(String threadName) {
        group = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Listens on {@code address:port} (0: any free port) on one daemon thread named
     * {@code threadName}; {@code filter} (null: none) sees each connection first.
     *
     * @throws IOException when the port cannot be bound, with the address in the message
     */
    public static PageServer start(String threadName, String address, int port, ChannelHandler filter, Pages pages)
            throws IOException {
        PageServer s = new PageServer(threadName);
        try {
            s.bind(address, port, filter, pages);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void bind(String address, int port, ChannelHandler filter, Pages pages) throws IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (filter != null) {
                            ch.pipeline().addLast(filter);
                        }
                        ch.pipeline().addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS));
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast(new HttpObjectAggregator(8192));
                        ch.pipeline().addLast(new Answer(pages));
                    }
                });
        try {
            channel = b.bind(address, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + address + ":" + port);
        } catch (Exception e) {
            throw new IOException("cannot listen on " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Pages pages;

        Answer(Pages pages) {
            this.pages = pages;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            HttpResponseStatus status = HttpResponseStatus.OK;
            Page page;
            boolean head = req.method().equals(HttpMethod.HEAD);
            if (!head && !req.method().equals(HttpMethod.GET)) {
                status = HttpResponseStatus.METHOD_NOT_ALLOWED;
                page = text("GET only\n");
            } else {
                try {
                    page = pages.get(path);
                } catch (RuntimeException e) {
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    page = text("the page failed: " + e + "\n");
                }
            }
            byte[] bytes = page.body().getBytes(StandardCharsets.UTF_8);
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
            resp.headers().set(HttpHeaderNames.CONTENT_TYPE, page.contentType());
            resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            resp.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }

        private static Page text(String body) {
            return new Page("text/plain; charset=utf-8", body);
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
