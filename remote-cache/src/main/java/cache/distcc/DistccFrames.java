package cache.distcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * distcc's framing ({@code rpc.c}): every element is a 12-byte header, four ASCII letters and
 * eight hexadecimal digits of an unsigned 32-bit value, optionally followed by exactly that many
 * bytes of body. Writers emit lowercase digits as distcc does; readers accept either case but
 * nothing else (distcc's {@code strtoul} would also take a sign or blanks, which no distcc writes).
 *
 * <p>A reader always knows which token comes next: any other is a protocol error.
 */
public final class DistccFrames {

    /** Bytes of a header. */
    public static final int HEADER = 12;

    private DistccFrames() {
    }

    /** The 12 header bytes of {@code token} with {@code value}. */
    public static byte[] header(String token, long value) {
        if (token.length() != 4) {
            throw new IllegalArgumentException("a distcc token has 4 letters: " + token);
        }
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException("a distcc value is an unsigned 32-bit number: " + value);
        }
        return String.format("%s%08x", token, value).getBytes(StandardCharsets.US_ASCII);
    }

    public static void writeHeader(OutputStream out, String token, long value) throws IOException {
        out.write(header(token, value));
    }

    /** A header and its body, which is written as given (the caller compresses). */
    public static void writeBody(OutputStream out, String token, byte[] body) throws IOException {
        writeHeader(out, token, body.length);
        out.write(body);
    }

    /**
     * The value of the next header, which must be {@code expected}.
     *
     * @throws DistccProtocolException for another token, a malformed value or a stream that ends
     */
    public static long readValue(InputStream in, String expected) throws IOException {
        byte[] h = readFully(in, HEADER, "the header of " + expected);
        String token = new String(h, 0, 4, StandardCharsets.ISO_8859_1);
        if (!token.equals(expected)) {
            throw new DistccProtocolException("expected token " + expected + ", got " + printable(h));
        }
        return parseValue(h);
    }

    /** The value of a header's last 8 bytes, which must be hexadecimal digits. */
    static long parseValue(byte[] h) throws DistccProtocolException {
        long v = 0;
        for (int i = 4; i < HEADER; i++) {
            int d = Character.digit(h[i] & 0xff, 16);
            if (d < 0 || (h[i] & 0xff) > 0x7f) {
                throw new DistccProtocolException("the value of " + printable(h) + " is not 8 hexadecimal digits");
            }
            v = v << 4 | d;
        }
        return v;
    }

    /**
     * The body of the next header, {@code expected}, of at most {@code limit} bytes (checked
     * before anything is allocated).
     */
    public static byte[] readBody(InputStream in, String expected, int limit) throws IOException {
        long n = readValue(in, expected);
        if (n > limit) {
            throw new DistccProtocolException(expected + " announces " + n + " bytes, more than the limit of "
                    + limit);
        }
        return readFully(in, (int) n, "the body of " + expected);
    }

    static byte[] readFully(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new DistccProtocolException("truncated: the stream ended after " + b.length + " of " + n
                    + " bytes of " + what);
        }
        return b;
    }

    /** A header for a log line: its printable ASCII, the rest as {@code \xNN}. */
    static String printable(byte[] h) {
        StringBuilder s = new StringBuilder("\"");
        for (byte b : h) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.append('"').toString();
    }
}
