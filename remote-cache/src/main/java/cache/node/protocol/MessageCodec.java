package cache.node.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Frames (from {@link NodeProtocol#frameDecoder}) to {@link NodeProtocol.Message}s and back.
 * A frame that does not decode raises a {@link DecoderException} whose cause is the
 * {@link ProtocolException}; the next handler decides what to do (the node closes).
 */
public final class MessageCodec extends MessageToMessageCodec<ByteBuf, NodeProtocol.Message> {

    @Override
    protected void encode(ChannelHandlerContext ctx, NodeProtocol.Message msg, List<Object> out) {
        ByteBuf buf = ctx.alloc().buffer();
        try {
            NodeProtocol.encode(msg, buf);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
        out.add(buf);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws ProtocolException {
        out.add(NodeProtocol.decode(frame));
    }
}
