package cache.node.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeProtocolTest {

    private static final CompilerSpec GCC = new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu");
    private static final Digest KEY = new Digest(0x0123456789abcdefL, 0xfedcba9876543210L);

    static List<Message> samples() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("node_hits", 3L);
        stats.put("refused_bad_frame", 1L);
        return List.of(
                new NodeProtocol.Hello(1, 1, 1, "cache 0.1"),
                new NodeProtocol.Welcome(1, 1, "node-a", new byte[32], 1 << 20),
                new NodeProtocol.Auth(2, new byte[] {1, 2, 3}),
                new NodeProtocol.AuthOk(2),
                new NodeProtocol.Probe(3, KEY, GCC),
                new NodeProtocol.Hit(3, new byte[] {9, 8, 7}),
                new NodeProtocol.Miss(4),
                new NodeProtocol.Compile(5, KEY, GCC, "cpp-output", List.of("-O2", "-DX=1"), 100, new byte[] {1}),
                new NodeProtocol.CompileSource(5, KEY, GCC, "c++", List.of("-O2", "-g"), "/abs/z é.cc", "/home/u",
                        100, new byte[] {1}),
                new NodeProtocol.Result(5, true, new byte[] {4, 5}),
                new NodeProtocol.Stats(6),
                new NodeProtocol.StatsReply(6, stats),
                new NodeProtocol.Error(7, ErrorCode.FORBIDDEN_ARGUMENT, "argument '-o' …"));
    }

    @Test
    void everyMessageSurvivesARoundTrip() throws Exception {
        for (Message m : samples()) {
            ByteBuf buf = Unpooled.buffer();
            NodeProtocol.encode(m, buf);
            assertEquals(buf.readableBytes() - 4, buf.getInt(0), "length prefix of " + m);
            buf.skipBytes(4);
            Message back = NodeProtocol.decode(buf);
            assertEquals(describe(m), describe(back));
            buf.release();
        }
    }

    @Test
    void everyTruncationAndEveryExtraByteIsRefused() {
        for (Message m : samples()) {
            ByteBuf buf = Unpooled.buffer();
            NodeProtocol.encode(m, buf);
            byte[] frame = new byte[buf.readableBytes() - 4];
            buf.getBytes(4, frame);
            for (int n = 0; n < frame.length; n++) {
                ByteBuf cut = Unpooled.wrappedBuffer(frame, 0, n);
                assertThrows(ProtocolException.class, () -> NodeProtocol.decode(cut), m + " cut to " + n);
            }
            byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 1);
            assertThrows(ProtocolException.class, () -> NodeProtocol.decode(Unpooled.wrappedBuffer(longer)));
        }
    }

    @Test
    void unknownTypesAndBadMagicAreRefused() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> NodeProtocol.decode(Unpooled.wrappedBuffer(new byte[] {0x55, 0, 0, 0, 1})));
        assertTrue(e.getMessage().contains("unknown frame type 0x55"));
        ByteBuf hello = Unpooled.buffer();
        NodeProtocol.encode(new NodeProtocol.Hello(1, 1, 1, "x"), hello);
        hello.setInt(9, 0x47455420); // "GET "
        hello.skipBytes(4);
        assertTrue(assertThrows(ProtocolException.class, () -> NodeProtocol.decode(hello)).getMessage()
                .contains("bad magic"));
    }

    @Test
    void codecRefusesAFrameLongerThanTheLimitFromItsLengthField() {
        EmbeddedChannel ch = new EmbeddedChannel(NodeProtocol.frameDecoder(1024), new MessageCodec());
        ByteBuf huge = Unpooled.buffer().writeInt(1 << 30).writeByte(NodeProtocol.PROBE);
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(huge));
        ch.finishAndReleaseAll();
    }

    @Test
    void codecSplitsPipelinedFramesAndReportsBadOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(NodeProtocol.frameDecoder(1 << 20), new MessageCodec());
        ByteBuf two = Unpooled.buffer();
        NodeProtocol.encode(new NodeProtocol.Probe(1, KEY, GCC), two);
        NodeProtocol.encode(new NodeProtocol.Stats(2), two);
        ch.writeInbound(two);
        assertEquals(1, ((Message) ch.readInbound()).id());
        assertEquals(2, ((Message) ch.readInbound()).id());
        ByteBuf bad = Unpooled.buffer().writeInt(5).writeByte(0x66).writeInt(3);
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(bad));
        assertTrue(e.getCause() instanceof ProtocolException);
        ch.finishAndReleaseAll();
    }

    @Test
    void aSourceJobKeyDependsOnTheKeyTheSourceAndTheDirectory() {
        Digest k = NodeProtocol.CompileSource.jobKey(KEY, "x.c", "/a");
        assertEquals(k, NodeProtocol.CompileSource.jobKey(KEY, "x.c", "/a"));
        assertTrue(!k.equals(KEY));
        assertTrue(!k.equals(NodeProtocol.CompileSource.jobKey(KEY, "y.c", "/a")));
        assertTrue(!k.equals(NodeProtocol.CompileSource.jobKey(KEY, "x.c", "/b")));
        assertTrue(!k.equals(NodeProtocol.CompileSource.jobKey(new Digest(1, 2), "x.c", "/a")));
        // fields are length-delimited: moving a byte from one to the other is another key
        assertTrue(!NodeProtocol.CompileSource.jobKey(KEY, "a/", "/b").equals(
                NodeProtocol.CompileSource.jobKey(KEY, "a", "//b")));
    }

    /** Records with arrays compare by identity; compare their encodings instead. */
    private static String describe(Message m) {
        ByteBuf b = Unpooled.buffer();
        NodeProtocol.encode(m, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return m.getClass().getSimpleName() + java.util.Arrays.toString(bytes);
    }
}
