package cache.compat;

import cache.hashing.Digest;
import java.io.IOException;
import java.io.InputStream;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The two file digests ccache 4.7 prints for its users: {@code --hash-file} (BLAKE3, 160 bits,
 * in ccache's own text form) and {@code --checksum-file} (XXH3, 128 bits, in hex).
 */
public final class CcacheHashes {

    private CcacheHashes() {}

    /** ccache's hash size in bytes: BLAKE3's output truncated to 160 bits. */
    static final int HASH_BYTES = 20;

    /** {@code ccache --hash-file}: the first 20 bytes of BLAKE3, as {@link #formatDigest} writes them. */
    public static String hashFile(InputStream in) throws IOException {
        Blake3Digest blake3 = new Blake3Digest(HASH_BYTES * 8);
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            blake3.update(buffer, 0, n);
        }
        byte[] out = new byte[HASH_BYTES];
        blake3.doFinal(out, 0);
        return formatDigest(out);
    }

    /** {@code ccache --checksum-file}: XXH3-128 in hex, high half first. */
    public static String checksumFile(InputStream in) throws IOException {
        return Digest.of(in.readAllBytes()).hex();
    }

    /**
     * ccache's {@code util::format_digest}: the first two bytes in hex (its cache's directory
     * levels), the rest in lower-case base32hex without padding.
     */
    static String formatDigest(byte[] d) {
        StringBuilder s = new StringBuilder(4 + (d.length - 2) * 8 / 5 + 1);
        for (int i = 0; i < 2; i++) {
            s.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
        }
        String digits = "0123456789abcdefghijklmnopqrstuv";
        int acc = 0;
        int bits = 0;
        for (int i = 2; i < d.length; i++) {
            acc = (acc << 8) | (d[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                s.append(digits.charAt((acc >> bits) & 0x1f));
            }
            acc &= (1 << bits) - 1;
        }
        if (bits > 0) {
            s.append(digits.charAt((acc << (5 - bits)) & 0x1f));
        }
        return s.toString();
    }
}
