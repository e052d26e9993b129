package cache.distcc;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lzo.LzoCompressor;
import io.airlift.compress.lzo.LzoDecompressor;
import java.util.Arrays;

/**
 * The body compression of distcc's protocol version 2: one raw LZO1X stream per body (no lzop
 * header, no checksum, the uncompressed size not sent), as distcc's miniLZO writes and reads it.
 * An empty body is never compressed.
 *
 * <p>The stream does not say how long its output is, so the decoder does what distcc does: it
 * starts with 8 times the compressed size and doubles while the output does not fit, but never
 * beyond what any LZO1X stream of that size can produce (a byte of input yields at most 255 of
 * output, in a run-length extension) nor beyond the caller's limit.
 */
public final class DistccLzo {

    /** Output bytes per input byte that no LZO1X stream exceeds, plus room for the first block. */
    private static final long MAX_RATIO = 256;

    private DistccLzo() {
    }

    public static byte[] compress(byte[] plain) {
        if (plain.length == 0) {
            return plain;
        }
        LzoCompressor c = new LzoCompressor();
        byte[] out = new byte[c.maxCompressedLength(plain.length)];
        int n = c.compress(plain, 0, plain.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    /**
     * @param limit the most bytes the plain body may have
     * @throws DistccProtocolException when the stream is not LZO1X or decodes to more than {@code limit}
     */
    public static byte[] decompress(byte[] compressed, int limit) throws DistccProtocolException {
        if (compressed.length == 0) {
            return compressed;
        }
        long ceiling = Math.min(limit, compressed.length * MAX_RATIO + 4096);
        long size = Math.min(ceiling, Math.max(8L * compressed.length, 4096));
        while (true) {
            byte[] out = new byte[(int) size];
            try {
                int n = new LzoDecompressor().decompress(compressed, 0, compressed.length, out, 0, out.length);
                return n == out.length ? out : Arrays.copyOf(out, n);
            } catch (MalformedInputException | IndexOutOfBoundsException e) {
                if (size >= ceiling) {
                    throw new DistccProtocolException(ceiling == limit && limit < compressed.length * MAX_RATIO
                            ? "an LZO body of " + compressed.length + " bytes is malformed or decodes to more than "
                                    + limit + " bytes"
                            : "an LZO body of " + compressed.length + " bytes is malformed: " + e.getMessage());
                }
                size = Math.min(ceiling, size * 2);
            }
        }
    }
}
