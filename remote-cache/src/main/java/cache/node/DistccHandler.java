package cache.node;

import cache.distcc.DistccLimits;
import cache.distcc.DistccProtocolException;
import cache.distcc.DistccRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One connection from a real distcc client ({@link ProtocolSniffer} saw {@code DIST}): one
 * request of protocol version 1 or 2, read whole (each header checked as it arrives, limits
 * before any body is waited for), then decoded and run by {@link NodeService#compileDistcc}
 * off the I/O thread (the node's cache first), the reply, and the connection closed.
 *
 * <p>As distccd does, anything not answered gets no reply at all: a malformed request (counted
 * {@code distcc_bad_frame}), a refused job (counted by its refusal code), an idle client. The
 * connection is closed; other connections are not affected.
 */
final class DistccHandler extends ByteToMessageDecoder {

    private static final Logger LOG = Logger.getLogger(DistccHandler.class.getName());

    private final NodeService service;
    private final NodeStats stats;
    private final ConnectionSlot slot;
    private final DistccLimits limits;
    private boolean requested;

    DistccHandler(NodeConfig config, NodeService service, AtomicInteger openConnections) {
        this.service = service;
        this.stats = service.stats();
        this.slot = new ConnectionSlot(config, stats, openConnections);
        this.limits = new DistccLimits(config.maxArgs(), 1 << 20, config.maxInput());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        slot.take(ctx, "distcc connection");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (requested) {
            in.skipBytes(in.readableBytes()); // a distcc client sends nothing after its request
            return;
        }
        byte[] frame;
        try {
            long length = DistccRequest.completeLength(in, limits);
            if (length < 0) {
                return;
            }
            // The headers are checked; the body (LZO-compressed in version 2) is decoded off this
            // I/O thread, by the service.
            frame = ByteBufUtil.getBytes(in, in.readerIndex(), (int) length);
            in.skipBytes((int) length);
        } catch (DistccProtocolException e) {
            refuse(ctx, e);
            return;
        }
        requested = true;
        service.compileDistcc(frame, limits, slot.peer()).whenComplete((reply, err) -> {
            if (err instanceof DistccProtocolException bad) {
                LOG.info("refused a distcc request from " + slot.peer() + ": " + bad.getMessage());
                ctx.close();
                return;
            }
            if (err != null) {
                LOG.info("distcc job from " + slot.peer() + " not run, closing without a reply: " + err.getMessage());
                ctx.close();
                return;
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(reply.toBytes())).addListener(ChannelFutureListener.CLOSE);
        });
    }

    private void refuse(ChannelHandlerContext ctx, DistccProtocolException e) {
        stats.refused("distcc_bad_frame");
        LOG.info("refused a distcc request from " + slot.peer() + ": " + e.getMessage());
        requested = true;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && !requested) {
            stats.refused("idle");
            LOG.info("closing idle distcc connection from " + slot.peer());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        slot.release();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.info("distcc connection from " + slot.peer() + " failed: " + cause.getMessage());
        ctx.close();
    }
}
