package cache.storage.remote;

import cache.hashing.Hashing;
import java.nio.ByteBuffer;

/**
 * How an entry travels to and from remote storage: our own format, not ccache's (the two never
 * share entries). A value written by another program, cut short by a server, or flipped on a
 * disk fails here and is a miss:
 *
 * <pre>
 *   u8  version (1)
 *   u32 length of the body
 *   u64 XXH3-64 of the body
 *   body: the entry as {@link cache.store.EntryCodec} encodes it (checksummed once more inside)
 * </pre>
 */
final class RemoteFrame {

    static final byte VERSION = 1;
    static final int HEADER = 1 + 4 + 8;

    private RemoteFrame() {}

    static byte[] wrap(byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(HEADER + body.length);
        out.put(VERSION).putInt(body.length).putLong(Hashing.xxh3_64(body, 0, body.length)).put(body);
        return out.array();
    }

    /**
     * The body of {@code framed}; throws with the reason when it is not a whole frame. Only the
     * version and the length are checked, not the checksum: the body is an entry, whose own
     * checksum covers every byte of it and is checked when it is decoded (hashing it twice would
     * cost a remote hit's critical path; manifests have a layout of their own, {@link
     * ManifestBundle}).
     */
    static byte[] unwrap(byte[] framed) throws PoisonedException {
        if (framed.length < HEADER) {
            throw new PoisonedException("value of " + framed.length + " bytes is shorter than a frame header");
        }
        ByteBuffer in = ByteBuffer.wrap(framed);
        byte version = in.get();
        if (version != VERSION) {
            throw new PoisonedException("unknown frame version " + version);
        }
        int length = in.getInt();
        if (length != framed.length - HEADER) {
            throw new PoisonedException("frame says " + Integer.toUnsignedString(length) + " bytes, value holds "
                    + (framed.length - HEADER));
        }
        return java.util.Arrays.copyOfRange(framed, HEADER, framed.length);
    }

    /** A value that is not an intact frame. */
    static final class PoisonedException extends Exception {
        private static final long serialVersionUID = 1L;

        PoisonedException(String message) {
            super(message);
        }
    }
}
