package cache.frontend.daemon;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/** Encodes reply records ({@code u8 tag, u32 length, bytes}); see {@code docs/client-protocol.md}. */
final class ReplyEncoder {

    static final byte STDOUT = '1';
    static final byte STDERR = '2';
    static final byte EXIT = 'X';
    static final byte PASSTHROUGH = 'L';
    static final byte FALLBACK = 'F';
    static final byte RESTART = 'R';

    private ReplyEncoder() {}

    static ByteBuf replay(ByteBufAllocator alloc, byte[] stdout, byte[] stderr, int exitCode) {
        ByteBuf b = alloc.buffer(15 + stdout.length + stderr.length + 9);
        if (stdout.length > 0) {
            record(b, STDOUT, stdout);
        }
        if (stderr.length > 0) {
            record(b, STDERR, stderr);
        }
        b.writeByte(EXIT).writeInt(4).writeInt(exitCode);
        return b;
    }

    static ByteBuf text(ByteBufAllocator alloc, byte tag, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf b = alloc.buffer(5 + bytes.length);
        record(b, tag, bytes);
        return b;
    }

    private static void record(ByteBuf b, byte tag, byte[] data) {
        b.writeByte(tag).writeInt(data.length).writeBytes(data);
    }
}
