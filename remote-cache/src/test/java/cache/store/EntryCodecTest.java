package cache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

    private static CacheEntry sample() {
        byte[] obj = new byte[50_000];
        new Random(1).nextBytes(obj);
        return new CacheEntry(0, new byte[0], "w\n".getBytes(),
                Map.of(OutputKind.OBJECT, obj, OutputKind.COVERAGE_NOTES, new byte[] {1, 2, 3}));
    }

    @Test
    void roundTripCompressedAndPlain() throws Exception {
        for (EntryCodec codec : new EntryCodec[] {new EntryCodec(true, 1), new EntryCodec(true, 0),
                new EntryCodec(false, 0), new EntryCodec(true, -3)}) {
            assertEquals(sample(), codec.decode(codec.encode(sample())));
        }
    }

    @Test
    void levelZeroIsCcachesDefaultLevelOne() {
        assertArrayEquals(new EntryCodec(true, 1).encode(sample()), new EntryCodec(true, 0).encode(sample()));
    }

    @Test
    void compressesRepetitiveData() {
        CacheEntry e = new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, new byte[100_000]));
        assertTrue(EntryCodec.defaults().encode(e).length < 1000);
    }

    @Test
    void everySingleBitFlipIsDetected() {
        EntryCodec codec = EntryCodec.defaults();
        CacheEntry e = new CacheEntry(0, "o".getBytes(), "e".getBytes(), Map.of(OutputKind.OBJECT, "obj".getBytes()));
        byte[] stored = codec.encode(e);
        for (int i = 0; i < stored.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = stored.clone();
                bad[i] ^= (byte) (1 << bit);
                int at = i;
                assertThrows(CorruptEntryException.class, () -> codec.decode(bad), "byte " + at);
            }
        }
    }

    @Test
    void garbageIsCorruptNotACrash() {
        Random r = new Random(7);
        EntryCodec codec = EntryCodec.defaults();
        for (int n = 0; n < 2000; n++) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            if (junk.length >= 4) {
                junk[0] = 'C'; junk[1] = 'E'; junk[2] = 'N'; junk[3] = 'T';
            }
            assertThrows(CorruptEntryException.class, () -> codec.decode(junk));
        }
    }

    /**
     * An entry as the codec of format 1 wrote every compressed entry before format 2 (header,
     * zstd body without a frame checksum, XXH3-64 trailer): what every user's cache holds on upgrade.
     */
    private static byte[] formatOne(CacheEntry e, boolean compressed) {
        byte[] payload = new EntryCodec(false, 0).encode(e);
        payload = java.util.Arrays.copyOfRange(payload, EntryCodec.HEADER, payload.length - 4); // the payload, as format 2 holds it uncompressed
        byte[] body = compressed ? com.github.luben.zstd.Zstd.compress(payload, 1) : payload;
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(EntryCodec.HEADER + body.length + 8);
        out.putInt(0x43454e54).put((byte) 1).put((byte) (compressed ? 1 : 0)).putShort((short) 0);
        out.putInt(payload.length).put(body);
        out.putLong(cache.hashing.Hashing.xxh3_64(out.array(), 0, out.position()));
        return out.array();
    }

    @Test
    void entriesAreWrittenInFormatTwoCompressedOnesAsAChecksummedZstdFrame() {
        byte[] stored = EntryCodec.defaults().encode(sample());
        assertEquals(2, stored[4], "format");
        int body = EntryCodec.HEADER;
        assertEquals(0xFD2FB528, Integer.reverseBytes(java.nio.ByteBuffer.wrap(stored).getInt(body)), "a zstd frame");
        assertTrue((stored[body + 4] & 0x04) != 0, "with its content checksum");
        assertEquals(2, new EntryCodec(false, 0).encode(sample())[4], "uncompressed too");
    }

    @Test
    void formatOneEntriesStillDecodeAndACorruptOneIsStillRefused() throws Exception {
        for (boolean compressed : new boolean[] {true, false}) {
            byte[] old = formatOne(sample(), compressed);
            assertEquals(1, old[4]);
            assertEquals(sample(), EntryCodec.defaults().decode(old), "an upgrade loses no cache");
            assertEquals(sample().outputs().get(OutputKind.OBJECT).length + 3 + 4 + 4 + 4 + 2 + 1 + 2 * 5,
                    EntryCodec.payloadLength(old, old.length), "its size is still read from its header");
            for (int at : new int[] {0, 4, 5, 9, EntryCodec.HEADER + 1, old.length / 2, old.length - 9, old.length - 1}) {
                byte[] bad = old.clone();
                bad[at] ^= 0x20;
                assertThrows(CorruptEntryException.class, () -> EntryCodec.defaults().decode(bad), "byte " + at);
            }
        }
    }

    /**
     * Format 2: a flip of any bit in any region (header, the zstd frame's header, its blocks, the
     * frame's checksum, the trailer) and any truncation is refused. The object is compressible
     * text, so the body is mostly compressed blocks, some of whose bits zstd itself ignores (a
     * flip there decodes to the same payload): the CRC over all stored bytes catches those too.
     */
    @Test
    void formatTwoRefusesAFlipOfEveryBitAndEveryTruncation() {
        StringBuilder text = new StringBuilder();
        Random r = new Random(3);
        while (text.length() < 20_000) {
            text.append("static int f").append(r.nextInt(500)).append("(void) { return ").append(r.nextInt(1000))
                    .append("; }\n");
        }
        CacheEntry e = new CacheEntry(1, "out".getBytes(), "warning: w\n".getBytes(),
                Map.of(OutputKind.OBJECT, text.toString().getBytes(), OutputKind.DEPENDENCY, "x.o: x.c\n".getBytes()));
        for (EntryCodec codec : new EntryCodec[] {EntryCodec.defaults(), new EntryCodec(false, 0)}) {
        byte[] stored = codec.encode(e);
        assertEquals(2, stored[4]);
        assertTrue(stored.length > 2_000, "a body of many blocks' bytes: " + stored.length);
        for (int i = 0; i < stored.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = stored.clone();
                bad[i] ^= (byte) (1 << bit);
                int at = i;
                int b = bit;
                assertThrows(CorruptEntryException.class, () -> codec.decode(bad), "byte " + at + " bit " + b);
            }
        }
        for (int n = 0; n < stored.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(stored, n);
            int len = n;
            assertThrows(CorruptEntryException.class, () -> codec.decode(cut), "cut to " + len);
        }
        byte[] longer = java.util.Arrays.copyOf(stored, stored.length + 1);
        assertThrows(CorruptEntryException.class, () -> codec.decode(longer), "a byte appended");
        }
    }
}
