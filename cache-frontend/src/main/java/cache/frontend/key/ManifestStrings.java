package cache.frontend.key;

import com.github.benmanes.caffeine.cache.Interner;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The strings of stored manifests (header paths, candidate directories and names), each held
 * once however many manifests name it, and found again from its stored UTF-8 bytes without
 * making a {@code String} first.
 *
 * <p>A manifest fetched from remote storage is decoded on every hit (a CI runner never saw it);
 * lua's {@code lapi.c} has ~700 strings, nearly all of them seen before in other manifests of
 * the same project. Making each {@code String} (UTF-8 decoding, a copy) and interning it
 * (hashing its characters, a weak reference's lookup) was most of that decode under C1. Here a
 * fixed, direct-mapped table keyed by a hash of the bytes answers a string seen recently with
 * one hash over the bytes and one comparison of byte arrays; a miss (a new string, or a slot
 * another string took) makes the string and interns it as before. The table holds at most
 * {@link #SLOTS} strings strongly (a few MB at most); everything else lives only while some
 * manifest holds it (the weak interner), as before.
 */
final class ManifestStrings {

    /** Strings shared by every manifest that names them, held while one does. */
    private static final Interner<String> INTERNED = Interner.newWeakInterner();

    static final int SLOTS = 1 << 14;

    /** One remembered string: its bytes as stored and their hash, and the interned instance. */
    private record Slot(byte[] bytes, int hash, String text) {}

    /** Racy by design: a slot read while another thread replaces it is either one, both whole (final fields). */
    private static final Slot[] TABLE = new Slot[SLOTS];

    private ManifestStrings() {}

    /** The interned string of the UTF-8 bytes {@code raw[offset, offset + length)}. */
    static String of(byte[] raw, int offset, int length) {
        int h = 1;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            h = 31 * h + raw[i];
        }
        int at = (h ^ (h >>> 15) ^ (h >>> 7)) & (SLOTS - 1);
        Slot s = TABLE[at];
        if (s != null && s.hash == h && Arrays.equals(s.bytes, 0, s.bytes.length, raw, offset, end)) {
            return s.text;
        }
        String text = INTERNED.intern(new String(raw, offset, length, StandardCharsets.UTF_8));
        TABLE[at] = new Slot(Arrays.copyOfRange(raw, offset, end), h, text);
        return text;
    }
}
