package cache.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Tells our native protocol from distcc's by a connection's first four bytes, on the node's one
 * port: {@code DIST} is distcc's first header (a native frame starts with its length, and a
 * length of 0x44495354 is far beyond any limit; a TLS record starts with 0x16). It then installs
 * the handlers of that protocol after itself and leaves, handing them the bytes read so far.
 *
 * <p>A distcc client cannot authenticate: when the node requires a shared secret or TLS, a
 * distcc connection is closed at once (counted {@code distcc_not_allowed}).
 */
final class ProtocolSniffer extends ByteToMessageDecoder {

    private static final Logger LOG = Logger.getLogger(ProtocolSniffer.class.getName());
    private static final byte[] DIST = "DIST".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelPipeline> nativeHandlers;
    private final Consumer<ChannelPipeline> distccHandlers;
    private final boolean distccAllowed;
    private final NodeStats stats;

    /**
     * @param nativeHandlers adds the native protocol's handlers at the end of the pipeline
     * @param distccHandlers adds distcc's
     * @param distccAllowed false when the node requires authentication, which distcc has not
     */
    ProtocolSniffer(Consumer<ChannelPipeline> nativeHandlers, Consumer<ChannelPipeline> distccHandlers,
            boolean distccAllowed, NodeStats stats) {
        this.nativeHandlers = nativeHandlers;
        this.distccHandlers = distccHandlers;
        this.distccAllowed = distccAllowed;
        this.stats = stats;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < DIST.length) {
            return;
        }
        boolean distcc = true;
        for (int i = 0; i < DIST.length; i++) {
            distcc &= in.getByte(in.readerIndex() + i) == DIST[i];
        }
        if (distcc && !distccAllowed) {
            stats.refused("distcc_not_allowed");
            LOG.info("closed a distcc connection from " + ctx.channel().remoteAddress()
                    + ": this node requires authentication, which distcc clients cannot give");
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        (distcc ? distccHandlers : nativeHandlers).accept(ctx.pipeline());
        ctx.fireChannelActive(); // the new handlers learn of the connection as if they had been there
        ctx.pipeline().remove(this); // hands them what was read
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            stats.refused("idle");
            ctx.close(); // fewer than four bytes in the idle time
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
