package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {

    @Test
    void roundTripsThroughBytesAndHex() {
        Digest d = Digest.of("hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(d, Digest.fromBytes(d.toBytes()));
        assertEquals(d, Digest.fromHex(d.hex()));
        assertEquals(32, d.hex().length());
    }

    @Test
    void knownXxh3Vector() {
        // XXH3-128 of the empty input, as published by the xxHash reference implementation.
        assertEquals("99aa06d3014798d86001c324468d497f", Digest.of(new byte[0]).hex());
    }

    @Test
    void differentInputsDiffer() {
        assertNotEquals(Digest.of(new byte[] {0}), Digest.of(new byte[] {1}));
    }

    @Test
    void rejectsWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> Digest.fromBytes(new byte[3]));
        assertThrows(IllegalArgumentException.class, () -> Digest.fromHex("abc"));
    }
}
