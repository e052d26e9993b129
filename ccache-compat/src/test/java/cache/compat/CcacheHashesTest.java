package cache.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden values printed by Debian's ccache 4.7.5 ({@code ccache --hash-file F}, {@code --checksum-file F}). */
class CcacheHashesTest {

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQUENCE = sequence();

    private static byte[] sequence() {
        byte[] b = new byte[256_000]; // bytes 0..255, 1000 times: crosses BLAKE3's chunk boundaries
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void hashFileMatchesCcache() throws Exception {
        assertEquals("8e4cfgdpjmvta3jqikc5vqmltoa4hukg8", CcacheHashes.hashFile(new ByteArrayInputStream(HELLO)));
        assertEquals("af1396svbud1kqg40jfa6reciicrpcisi", CcacheHashes.hashFile(new ByteArrayInputStream(new byte[0])));
        assertEquals("f59fb6anlnvnp997qn198de51p0pplf8q", CcacheHashes.hashFile(new ByteArrayInputStream(SEQUENCE)));
    }

    @Test
    void checksumFileMatchesCcache() throws Exception {
        assertEquals("6bba86c7e069f56d5a10b435f1c8e49c", CcacheHashes.checksumFile(new ByteArrayInputStream(HELLO)));
        assertEquals("99aa06d3014798d86001c324468d497f", CcacheHashes.checksumFile(new ByteArrayInputStream(new byte[0])));
        assertEquals("548512d98989de2d776474c39d20f9aa", CcacheHashes.checksumFile(new ByteArrayInputStream(SEQUENCE)));
    }

    @Test
    void base32hexTailIsMostSignificantBitFirstWithAPaddedLastDigit() {
        byte[] d = new byte[20];
        d[0] = (byte) 0xab;
        d[1] = (byte) 0x01;
        d[2] = (byte) 0xf8; // 11111 000..
        assertEquals("ab01" + "v" + "0".repeat(28), CcacheHashes.formatDigest(d));
        d[19] = 0x0f; // last 4 bits 1111 -> padded to 11110 = 'u'
        assertEquals("ab01v" + "0".repeat(27) + "u", CcacheHashes.formatDigest(d));
    }
}
