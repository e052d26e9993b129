package cache.store;

import cache.hashing.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the store knows about one stored value besides the value itself. Kept in the
 * {@code catalog} column family so that accounting, eviction and statistics never read values
 * (entries live in blob files; reading them back is the expensive part of the store).
 *
 * <pre>
 * key:    u8 kind ('e' entry, 'm' manifest)  16 bytes digest
 * value:  u8 format=1  u64 last use (epoch seconds)  u64 stored size  u64 payload size
 *         namespace (UTF-8, the rest of the value; empty when none)
 * </pre>
 *
 * The stored size is the length of the value as written (what accounting adds up); the
 * payload size is the uncompressed size for entries and equals the stored size for manifests,
 * whose format the store does not read.
 */
record CatalogRecord(long lastUse, long storedSize, long payloadSize, String namespace) {

    static final int KEY_BYTES = 1 + Digest.BYTES;
    private static final int FORMAT = 1;
    private static final int FIXED = 1 + 8 + 8 + 8;

    CatalogRecord {
        if (namespace == null) {
            namespace = "";
        }
    }

    byte[] encode() {
        byte[] ns = namespace.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(FIXED + ns.length).put((byte) FORMAT).putLong(lastUse).putLong(storedSize)
                .putLong(payloadSize).put(ns).array();
    }

    static CatalogRecord decode(byte[] stored) {
        if (stored.length < FIXED || stored[0] != FORMAT) {
            throw new IllegalStateException("malformed catalog record (" + stored.length + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(stored, 1, stored.length - 1);
        long lastUse = in.getLong();
        long storedSize = in.getLong();
        long payloadSize = in.getLong();
        String ns = new String(stored, FIXED, stored.length - FIXED, StandardCharsets.UTF_8);
        return new CatalogRecord(lastUse, storedSize, payloadSize, ns);
    }

    CatalogRecord withLastUse(long time) {
        return new CatalogRecord(time, storedSize, payloadSize, namespace);
    }

    /** The catalog key of {@code digest} (given as its 16 bytes) in the family {@code kind}. */
    static byte[] key(byte kind, byte[] digest) {
        byte[] k = new byte[KEY_BYTES];
        k[0] = kind;
        System.arraycopy(digest, 0, k, 1, Digest.BYTES);
        return k;
    }
}
