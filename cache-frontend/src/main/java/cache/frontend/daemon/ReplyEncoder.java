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
    /** Before L or F: the compiler to run instead of the one the client found (configuration {@code compiler}, {@code path}). */
    static final byte COMPILER = 'C';

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

    /** A passthrough or fallback, preceded by the compiler to run when the client's own is not the one. */
    static ByteBuf runYourself(ByteBufAllocator alloc, byte tag, String reason, java.nio.file.Path compiler) {
        if (compiler == null) {
            return text(alloc, tag, reason);
        }
        byte[] path = compiler.toString().getBytes(StandardCharsets.UTF_8);
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuf b = alloc.buffer(10 + path.length + text.length);
        record(b, COMPILER, path);
        record(b, tag, text);
        return b;
    }

    private static void record(ByteBuf b, byte tag, byte[] data) {
        b.writeByte(tag).writeInt(data.length).writeBytes(data);
    }
}
