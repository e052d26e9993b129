package cache.node;

import cache.distcc.DistccLimits;
import cache.distcc.DistccProtocolException;
import cache.distcc.DistccRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One connection from a real distcc client ({@link ProtocolSniffer} saw {@code DIST}): one
 * request of protocol version 1 or 2, read whole (each header checked as it arrives, limits
 * before any body is waited for), then the job through {@link NodeService#compileDistcc} (the
 * node's cache first), the reply, and the connection closed.
 *
 * <p>As distccd does, anything not answered gets no reply at all: a malformed request (counted
 * {@code distcc_bad_frame}), a refused job (counted by its refusal code), an idle client. The
 * connection is closed; other connections are not affected.
 */
final class DistccHandler extends ByteToMessageDecoder {

    private static final Logger LOG = Logger.getLogger(DistccHandler.class.getName());

    private final NodeConfig config;
    private final NodeService service;
    private final NodeStats stats;
    private final AtomicInteger openConnections;
    private final DistccLimits limits;
    private boolean counted;
    private boolean requested;
    private String peer = "?";

    DistccHandler(NodeConfig config, NodeService service, AtomicInteger openConnections) {
        this.config = config;
        this.service = service;
        this.stats = service.stats();
        this.openConnections = openConnections;
        this.limits = new DistccLimits(config.maxArgs(), 1 << 20, config.maxInput());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            peer = a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        if (openConnections.incrementAndGet() > config.maxConnections()) {
            openConnections.decrementAndGet();
            stats.refused("too_many_connections");
            LOG.warning("refused distcc connection from " + peer + ": " + config.maxConnections()
                    + " connections open (--max-connections)");
            ctx.close();
            return;
        }
        counted = true;
        stats.connectionOpened();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (requested) {
            in.skipBytes(in.readableBytes()); // a distcc client sends nothing after its request
            return;
        }
        DistccRequest request;
        try {
            long length = DistccRequest.completeLength(in, limits);
            if (length < 0) {
                return;
            }
            request = DistccRequest.readFrom(new ByteBufInputStream(in.readSlice((int) length)), limits);
        } catch (IOException e) {
            refuse(ctx, e);
            return;
        }
        requested = true;
        service.compileDistcc(request, peer).whenComplete((reply, err) -> {
            if (err != null) {
                LOG.info("distcc job from " + peer + " not run, closing without a reply: " + err.getMessage());
                ctx.close();
                return;
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(reply.toBytes())).addListener(ChannelFutureListener.CLOSE);
        });
    }

    private void refuse(ChannelHandlerContext ctx, IOException e) {
        stats.refused(e instanceof DistccProtocolException ? "distcc_bad_frame" : "other");
        LOG.info("refused a distcc request from " + peer + ": " + e.getMessage());
        requested = true;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && !requested) {
            stats.refused("idle");
            LOG.info("closing idle distcc connection from " + peer);
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (counted) {
            counted = false;
            openConnections.decrementAndGet();
            stats.connectionClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("distcc connection from " + peer + " failed: " + cause.getMessage());
        ctx.close();
    }
}
