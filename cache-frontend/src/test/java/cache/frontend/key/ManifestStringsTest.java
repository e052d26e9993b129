package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ManifestStrings}: the right string for any bytes, the same instance for the same bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManifestStringsTest {

    private static String of(String s, int pad) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] raw = new byte[pad + b.length + 3];
        System.arraycopy(b, 0, raw, pad, b.length);
        return ManifestStrings.of(raw, pad, b.length);
    }

    @Test
    void theSameBytesAnywhereGiveTheSameInternedInstance() {
        String a = of("/usr/include/x86_64-linux-gnu/bits", 0);
        assertEquals("/usr/include/x86_64-linux-gnu/bits", a);
        assertSame(a, of("/usr/include/x86_64-linux-gnu/bits", 7));
        assertEquals("", of("", 2));
        assertEquals("en-tête é ü.h", of("en-tête é ü.h", 1), "UTF-8 beyond ASCII");
        assertSame(of("en-tête é ü.h", 1), of("en-tête é ü.h", 5));
    }

    /** "Aa" and "BB" hash alike (31 × 65 + 97 = 31 × 66 + 66): same slot, so the bytes decide. */
    @Test
    void stringsWhoseHashesCollideAreEachThemselves() {
        for (int round = 0; round < 3; round++) {
            assertEquals("Aa", of("Aa", round));
            assertEquals("BB", of("BB", round));
            assertEquals("x/AaBB.h", of("x/AaBB.h", round));
            assertEquals("x/BBAa.h", of("x/BBAa.h", round));
        }
    }

    @Test
    void moreStringsThanSlotsAreAllRightAndAgainAfterTheirSlotsWereTaken() {
        int n = 3 * ManifestStrings.SLOTS;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < n; i++) {
                assertEquals("dir" + i + "/name" + (i * 7) + ".h", of("dir" + i + "/name" + (i * 7) + ".h", i % 5));
            }
        }
    }
}
