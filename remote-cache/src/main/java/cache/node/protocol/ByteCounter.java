package cache.node.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.function.LongConsumer;

/** Counts the bytes a connection reads and writes on the wire (first in the pipeline, so TLS records count). */
public final class ByteCounter extends ChannelDuplexHandler {

    private final LongConsumer in;
    private final LongConsumer out;

    public ByteCounter(LongConsumer in, LongConsumer out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            in.accept(b.readableBytes());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf b) {
            out.accept(b.readableBytes());
        }
        super.write(ctx, msg, promise);
    }
}
