package cache.storage.remote;

import cache.hashing.Digest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * How direct mode's manifest is kept in remote storage: with the entry of the result it was
 * written for beside it, so that a remote hit whose match gives that result (nearly every one:
 * a manifest is written by the compile that recorded its newest result) reads both in one round
 * trip instead of two. The entry is also stored under its own key, as every entry is (a
 * preprocessor-mode lookup, another manifest or an older result finds it there); an entry larger
 * than {@link RemoteStorage#INLINE_LIMIT} is not put beside its manifest.
 *
 * <pre>
 *   u8   version (2; version 1 is {@link RemoteFrame}'s, which a bundle never is)
 *   u32  manifest length m
 *   u8   1 when an entry follows the manifest, else 0
 *   16   that entry's key (zeros when none)
 *   u32  CRC32C of the 22 bytes above and of the manifest
 *   m    the manifest
 *   ...  the entry as {@link cache.store.EntryCodec} encoded it, to the end (checked by its own
 *        checksum when it is decoded; nothing follows the manifest when there is none)
 * </pre>
 */
final class ManifestBundle {

    static final byte VERSION = 2;
    static final int HEADER = 1 + 4 + 1 + Digest.BYTES + 4;
    private static final int CHECKED = HEADER - 4;

    private ManifestBundle() {}

    /** What a bundle holds: the manifest, and the entry stored beside it with its key (both null when none). */
    record Parts(byte[] manifest, Digest entryKey, byte[] entry) {}

    /** The bundle of {@code manifest} and, when {@code entry} is not null, the encoded entry of {@code entryKey}. */
    static byte[] encode(byte[] manifest, Digest entryKey, byte[] entry) {
        boolean inlined = entry != null;
        ByteBuffer out = ByteBuffer.allocate(HEADER + manifest.length + (inlined ? entry.length : 0));
        out.put(VERSION).putInt(manifest.length).put((byte) (inlined ? 1 : 0))
                .put(inlined ? entryKey.toBytes() : new byte[Digest.BYTES]);
        byte[] bytes = out.array();
        out.putInt(crc(bytes, manifest, 0, manifest.length)).put(manifest);
        if (inlined) {
            out.put(entry);
        }
        return bytes;
    }

    /** The parts of {@code value}; throws with the reason when it is not a whole, intact bundle. */
    static Parts decode(byte[] value) throws RemoteFrame.PoisonedException {
        if (value.length < HEADER) {
            throw new RemoteFrame.PoisonedException("value of " + value.length + " bytes is shorter than a manifest header");
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        if (in.get() != VERSION) {
            throw new RemoteFrame.PoisonedException("not a manifest (version " + value[0] + ")");
        }
        int length = in.getInt();
        if (length < 0 || length > value.length - HEADER) {
            throw new RemoteFrame.PoisonedException("manifest says " + Integer.toUnsignedString(length)
                    + " bytes, value holds " + (value.length - HEADER));
        }
        byte inlined = in.get();
        if (inlined != 0 && inlined != 1) {
            throw new RemoteFrame.PoisonedException("bad entry flag " + inlined);
        }
        if (in.getInt(CHECKED) != crc(value, value, HEADER, length)) {
            throw new RemoteFrame.PoisonedException("manifest checksum mismatch");
        }
        int entryAt = HEADER + length;
        byte[] manifest = Arrays.copyOfRange(value, HEADER, entryAt);
        if (inlined == 0) {
            if (entryAt != value.length) {
                throw new RemoteFrame.PoisonedException((value.length - entryAt) + " bytes after a lone manifest");
            }
            return new Parts(manifest, null, null);
        }
        Digest key = Digest.fromBytes(Arrays.copyOfRange(value, 1 + 4 + 1, CHECKED));
        return new Parts(manifest, key, Arrays.copyOfRange(value, entryAt, value.length));
    }

    /** CRC32C of {@code header}'s first {@link #CHECKED} bytes and {@code body[from, from + length)}. */
    private static int crc(byte[] header, byte[] body, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(header, 0, CHECKED);
        c.update(body, from, length);
        return (int) c.getValue();
    }
}
