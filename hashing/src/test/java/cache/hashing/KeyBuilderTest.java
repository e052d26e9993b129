package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyBuilderTest {

    @Test
    void sameFieldsSameKey() {
        Digest a = KeyBuilder.create().add("arg", "-O2").add("arg", "-c").build();
        Digest b = KeyBuilder.create().add("arg", "-O2").add("arg", "-c").build();
        assertEquals(a, b);
    }

    @Test
    void fieldBoundariesMatter() {
        Digest split = KeyBuilder.create().add("arg", "-DA").add("arg", "B").build();
        Digest joined = KeyBuilder.create().add("arg", "-DAB").build();
        Digest moved = KeyBuilder.create().add("arg", "-D").add("arg", "AB").build();
        assertNotEquals(split, joined);
        assertNotEquals(split, moved);
        assertNotEquals(joined, moved);
    }

    @Test
    void tagsMatter() {
        assertNotEquals(KeyBuilder.create().add("arg", "x").build(), KeyBuilder.create().add("env", "x").build());
    }

    @Test
    void orderMatters() {
        assertNotEquals(
                KeyBuilder.create().add("arg", "-a").add("arg", "-b").build(),
                KeyBuilder.create().add("arg", "-b").add("arg", "-a").build());
    }

    @Test
    void explanationListsEveryField() {
        KeyBuilder k = KeyBuilder.explaining().add("arg", "-O2").add("cpp", Digest.of(new byte[] {1, 2}));
        String text = k.explanation();
        assertTrue(text.contains("arg: -O2\n"), text);
        assertTrue(text.contains("cpp: #"), text);
        assertEquals(k.build(), KeyBuilder.create().add("arg", "-O2").add("cpp", Digest.of(new byte[] {1, 2})).build());
        assertNull(KeyBuilder.create().explanation());
    }

    @Test
    void growsBeyondInitialBuffer() {
        KeyBuilder a = KeyBuilder.create();
        KeyBuilder b = KeyBuilder.create();
        for (int i = 0; i < 5000; i++) {
            a.add("arg", "argument-" + i);
            b.add("arg", "argument-" + i);
        }
        assertEquals(a.build(), b.build());
        assertNotEquals(a.add("arg", "x").build(), b.build());
    }
}
