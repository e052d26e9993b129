package cache.store.share;

import cache.hashing.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Reading and writing the bodies of {@link SharedStoreProtocol} frames; a short or bad body is an {@link IllegalArgumentException}. */
final class Frames {

    private Frames() {}

    static final class Reader {
        private final ByteBuffer b;

        Reader(byte[] body) {
            this.b = ByteBuffer.wrap(body);
        }

        private void need(int n) {
            if (n < 0 || b.remaining() < n) {
                throw new IllegalArgumentException("frame too short: " + n + " bytes wanted, " + b.remaining() + " left");
            }
        }

        byte u8() {
            need(1);
            return b.get();
        }

        long i64() {
            need(8);
            return b.getLong();
        }

        /** A count of items that each take at least one byte. */
        int count() {
            need(4);
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("bad count " + n);
            }
            return n;
        }

        Digest digest() {
            need(Digest.BYTES);
            byte[] k = new byte[Digest.BYTES];
            b.get(k);
            return Digest.fromBytes(k);
        }

        String str() {
            need(2);
            int n = Short.toUnsignedInt(b.getShort());
            need(n);
            byte[] s = new byte[n];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        byte[] opt() {
            byte present = u8();
            if (present == 0) {
                return null;
            }
            if (present != 1) {
                throw new IllegalArgumentException("bad presence byte " + present);
            }
            need(4);
            int n = b.getInt();
            need(n);
            byte[] v = new byte[n];
            b.get(v);
            return v;
        }

        byte[] rest() {
            byte[] v = new byte[b.remaining()];
            b.get(v);
            return v;
        }

        void end() {
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " unexpected bytes at the end of a frame");
            }
        }
    }

    static final class Writer {
        private final Out out = new Out();

        Writer u8(int v) {
            out.write(v);
            return this;
        }

        Writer u32(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        Writer i64(long v) {
            u32((int) (v >>> 32));
            return u32((int) v);
        }

        Writer digest(Digest d) {
            return bytes(d.toBytes());
        }

        Writer str(String s) {
            byte[] v = s.getBytes(StandardCharsets.UTF_8);
            if (v.length > 0xffff) {
                throw new IllegalArgumentException("string too long for a frame: " + v.length + " bytes");
            }
            out.write(v.length >>> 8);
            out.write(v.length);
            return bytes(v);
        }

        Writer opt(byte[] v) {
            if (v == null) {
                return u8(0);
            }
            u8(1).u32(v.length);
            return bytes(v);
        }

        Writer bytes(byte[] v) {
            out.write(v, 0, v.length);
            return this;
        }

        int size() {
            return out.size();
        }

        /** The internal array; valid up to {@link #size()}. */
        byte[] bytes() {
            return out.buffer();
        }
    }

    /** A ByteArrayOutputStream whose array is handed out without a copy. */
    private static final class Out extends ByteArrayOutputStream {
        byte[] buffer() {
            return buf;
        }
    }
}
