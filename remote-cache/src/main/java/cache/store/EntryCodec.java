package cache.store;

import cache.hashing.Digest;
import cache.hashing.Hashing;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/**
 * The stored form of a {@link CacheEntry}. Entries are written in format 2; format 1 (every
 * entry written before it) is still read, so an upgrade loses no cache.
 *
 * <pre>
 * header (12 bytes):  "CENT"  u8 format (1 or 2)  u8 compression (0 none, 1 zstd)  u16 reserved (zero)
 *                     u32 payload length (uncompressed)
 * body:               payload, zstd-compressed when compression = 1 (format 2: one zstd frame
 *                     with its content size and content checksum)
 * trailer:            format 1: u64 XXH3-64 of header and body as stored (8 bytes)
 *                     format 2: u32 CRC32C of header and body as stored (4 bytes)
 * payload:            i32 exit code, u32+bytes stdout, u32+bytes stderr, u8 n,
 *                     n × (u8 output kind code, u32+bytes contents)
 * </pre>
 *
 * The trailer covers every stored byte before it, so any flipped bit (header, compressed
 * body, trailer) is detected on read, before decompression, and reported as
 * {@link CorruptEntryException}; the payload is then also checked for its exact length.
 * Format 2's CRC32C runs as the CPU's own instruction (the JDK's intrinsic, under C1 too, as
 * the daemon runs): ~4 µs for lua's {@code lapi.o} against ~40-130 µs for XXH3 in Java under
 * C1. It detects every error of up to 32 consecutive bits; a wider random one passes with
 * probability 2<sup>-32</sup>, and for a compressed body the frame's own checksum (XXH64 of the
 * payload, checked by zstd in C as it decompresses) must then fail too.
 */
public final class EntryCodec {

    private static final int MAGIC = 0x43454e54; // "CENT"
    private static final int FORMAT = 1;
    private static final int FORMAT_CRC = 2;
    static final int HEADER = 12;
    private static final int TRAILER = 8;
    private static final int TRAILER_CRC = 4;
    /** A zstd frame's magic number (little-endian) and its header descriptor's Content_Checksum_flag. */
    private static final int ZSTD_MAGIC = 0xFD2FB528;
    private static final int ZSTD_CHECKSUM_FLAG = 0x04;
    /** Refuse absurd sizes from a corrupt header instead of allocating them. */
    private static final int MAX_PAYLOAD = 1 << 30;

    /** What {@code compression_level = 0} means in ccache. */
    private static final int DEFAULT_LEVEL = 1;

    private final int level;
    private final boolean compress;

    /**
     * @param compress whether to zstd-compress bodies
     * @param level ccache's {@code compression_level}: a zstd level, negative for zstd's fast
     *     levels; 0 means ccache's default, level 1 (not zstd's own default, 3)
     */
    public EntryCodec(boolean compress, int level) {
        this.compress = compress;
        this.level = level == 0 ? DEFAULT_LEVEL : level;
    }

    public static EntryCodec defaults() {
        return new EntryCodec(true, 1);
    }

    public byte[] encode(CacheEntry e) {
        byte[] payload = payload(e);
        int bodyAt = HEADER;
        byte[] out;
        int end;
        if (compress) {
            ZstdCompressCtx ctx = COMPRESSORS.poll();
            if (ctx == null) {
                ctx = new ZstdCompressCtx().setChecksum(true).setContentSize(true);
            }
            out = new byte[HEADER + (int) Zstd.compressBound(payload.length) + TRAILER_CRC];
            try {
                end = bodyAt + ctx.setLevel(level).compressByteArray(out, bodyAt, out.length - bodyAt - TRAILER_CRC,
                        payload, 0, payload.length);
            } finally {
                if (!COMPRESSORS.offer(ctx)) {
                    ctx.close();
                }
            }
            out = java.util.Arrays.copyOf(out, end + TRAILER_CRC);
        } else {
            out = new byte[HEADER + payload.length + TRAILER_CRC];
            System.arraycopy(payload, 0, out, bodyAt, payload.length);
            end = bodyAt + payload.length;
        }
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putInt(MAGIC).put((byte) FORMAT_CRC).put((byte) (compress ? 1 : 0)).putShort((short) 0).putInt(payload.length);
        b.putInt(end, crc(out, end));
        return out;
    }

    private static int crc(byte[] b, int end) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, end);
        return (int) c.getValue();
    }

    /**
     * The uncompressed payload length a header claims, for statistics; 0 when {@code head} (the
     * first bytes of a stored value of {@code storedLength} bytes) is not an entry header. Not
     * verified: only {@link #decode} checks an entry.
     */
    static long payloadLength(byte[] head, int storedLength) {
        if (storedLength < HEADER + TRAILER || head.length < HEADER) {
            return 0;
        }
        ByteBuffer in = ByteBuffer.wrap(head);
        return in.getInt(0) == MAGIC ? Integer.toUnsignedLong(in.getInt(8)) : 0;
    }

    /**
     * The entry {@code stored} under {@code key} in {@code store}, decoded; {@code null} for a
     * miss. One that fails its checks is removed from the store and reported, as {@link
     * EntryStore#get} promises.
     */
    public CacheEntry decodeStored(EntryStore store, Digest key, byte[] stored)
            throws CorruptEntryException {
        if (stored == null) {
            return null;
        }
        try {
            return decode(stored);
        } catch (CorruptEntryException e) {
            store.remove(key);
            throw e;
        }
    }

    public CacheEntry decode(byte[] stored) throws CorruptEntryException {
        if (stored.length < HEADER + TRAILER) {
            throw new CorruptEntryException("entry shorter than its header (" + stored.length + " bytes)");
        }
        // Format 2: CRC32C over all, then, for a compressed body, zstd's own check of the payload.
        boolean crc = stored[4] == FORMAT_CRC;
        ByteBuffer in = ByteBuffer.wrap(stored);
        int end = stored.length - (crc ? TRAILER_CRC : TRAILER);
        if (crc ? in.getInt(end) != crc(stored, end) : in.getLong(end) != Hashing.xxh3_64(stored, 0, end)) {
            throw new CorruptEntryException("entry checksum mismatch");
        }
        if (in.getInt() != MAGIC || in.get() != (crc ? FORMAT_CRC : FORMAT)) {
            throw new CorruptEntryException("bad entry magic or format");
        }
        int compression = in.get();
        if (in.getShort() != 0) {
            throw new CorruptEntryException("reserved header bits set");
        }
        int length = in.getInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new CorruptEntryException("bad payload length " + length);
        }
        // format 2 is written with the frame's checksum, which zstd checks as it decompresses
        if (crc && compression == 1 && (end - HEADER < 9 || Integer.reverseBytes(in.getInt(HEADER)) != ZSTD_MAGIC
                || (stored[HEADER + 4] & ZSTD_CHECKSUM_FLAG) == 0)) {
            throw new CorruptEntryException("entry body is not a checksummed zstd frame");
        }
        byte[] payload = switch (compression) {
            case 0 -> java.util.Arrays.copyOfRange(stored, HEADER, end);
            case 1 -> decompress(stored, HEADER, end, length);
            default -> throw new CorruptEntryException("unknown compression " + compression);
        };
        return parsed(payload, length);
    }

    private static CacheEntry parsed(byte[] payload, int length) throws CorruptEntryException {
        if (payload.length != length) {
            throw new CorruptEntryException("payload is " + payload.length + " bytes, header says " + length);
        }
        try {
            return parse(ByteBuffer.wrap(payload));
        } catch (RuntimeException ex) {
            throw new CorruptEntryException("undecodable payload", ex);
        }
    }

    /**
     * Decompression contexts for reuse: creating one costs more than decompressing a small
     * object. Bounded, so a burst of threads leaves at most this many behind.
     */
    private static final int SPARE_CONTEXTS = 8;
    private static final java.util.concurrent.ArrayBlockingQueue<ZstdDecompressCtx> CONTEXTS =
            new java.util.concurrent.ArrayBlockingQueue<>(SPARE_CONTEXTS);
    /** Compression contexts likewise (each set to write a frame's content size and checksum). */
    private static final java.util.concurrent.ArrayBlockingQueue<ZstdCompressCtx> COMPRESSORS =
            new java.util.concurrent.ArrayBlockingQueue<>(SPARE_CONTEXTS);

    /** The zstd data in {@code stored[from, end)} decompressed; zstd checks the frame's checksum when it has one. */
    private static byte[] decompress(byte[] stored, int from, int end, int length) throws CorruptEntryException {
        ZstdDecompressCtx ctx = CONTEXTS.poll();
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
        }
        try {
            byte[] out = new byte[length];
            long n = ctx.decompressByteArray(out, 0, length, stored, from, end - from);
            if (n != length) {
                throw new CorruptEntryException("decompressed " + n + " bytes, expected " + length);
            }
            return out;
        } catch (RuntimeException ex) {
            ctx.close(); // its state after an error is not worth trusting
            ctx = null;
            throw new CorruptEntryException("zstd: " + ex.getMessage(), ex);
        } finally {
            if (ctx != null && !CONTEXTS.offer(ctx)) {
                ctx.close();
            }
        }
    }

    private static byte[] payload(CacheEntry e) {
        long size = 4 + 4 + e.stdout().length + 4 + e.stderr().length + 1;
        for (byte[] b : e.outputs().values()) {
            size += 1 + 4 + b.length;
        }
        if (size > MAX_PAYLOAD) {
            throw new IllegalArgumentException("entry too large: " + size + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.putInt(e.exitCode());
        putBytes(out, e.stdout());
        putBytes(out, e.stderr());
        out.put((byte) e.outputs().size());
        for (Map.Entry<OutputKind, byte[]> o : e.outputs().entrySet()) {
            out.put((byte) o.getKey().code());
            putBytes(out, o.getValue());
        }
        return out.array();
    }

    private static CacheEntry parse(ByteBuffer in) {
        int exit = in.getInt();
        byte[] stdout = getBytes(in);
        byte[] stderr = getBytes(in);
        int n = in.get() & 0xff;
        Map<OutputKind, byte[]> outputs = new EnumMap<>(OutputKind.class);
        for (int i = 0; i < n; i++) {
            OutputKind kind = OutputKind.fromCode(in.get() & 0xff);
            outputs.put(kind, getBytes(in));
        }
        if (in.hasRemaining()) {
            throw new IllegalStateException(in.remaining() + " trailing bytes");
        }
        return new CacheEntry(exit, stdout, stderr, outputs);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        out.putInt(b.length).put(b);
    }

    private static byte[] getBytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalStateException("bad field length " + n);
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}
