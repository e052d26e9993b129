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
}
