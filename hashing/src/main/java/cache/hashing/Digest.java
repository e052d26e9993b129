package cache.hashing;

import java.util.HexFormat;

/**
 * A 128-bit XXH3 digest. Immutable value; equal digests mean equal inputs for every
 * practical purpose (the key space is 2^128).
 */
public record Digest(long high, long low) implements Comparable<Digest> {

    public static final int BYTES = 16;

    /** The digest of {@code data}. */
    public static Digest of(byte[] data) {
        return Hashing.xxh3_128(data, 0, data.length);
    }

    /** Reads a digest written by {@link #toBytes()}. */
    public static Digest fromBytes(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a digest has 16 bytes, got " + bytes.length);
        }
        return new Digest(readLong(bytes, 0), readLong(bytes, 8));
    }

    /** Parses 32 hex digits as printed by {@link #hex()}. */
    public static Digest fromHex(String hex) {
        if (hex.length() != 32) {
            throw new IllegalArgumentException("a digest has 32 hex digits: " + hex);
        }
        return new Digest(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
    }

    /** Big-endian: high word first, so byte order equals hex order. */
    public byte[] toBytes() {
        byte[] out = new byte[BYTES];
        writeLong(out, 0, high);
        writeLong(out, 8, low);
        return out;
    }

    public String hex() {
        HexFormat hex = HexFormat.of();
        return hex.toHexDigits(high) + hex.toHexDigits(low);
    }

    @Override
    public int compareTo(Digest o) {
        int c = Long.compareUnsigned(high, o.high);
        return c != 0 ? c : Long.compareUnsigned(low, o.low);
    }

    @Override
    public String toString() {
        return hex();
    }

    private static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private static void writeLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
