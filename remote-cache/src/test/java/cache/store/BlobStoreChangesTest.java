package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.TrackedFamily.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BlobStore#changes()}: a reader that kept what it derived from a manifest skips the read
 * while the number stays the same, so every way a stored value changes must change it.
 */
@Timeout(60)
class BlobStoreChangesTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private LocalStore store;
    private BlobStore manifests;

    @BeforeEach
    void open() throws Exception {
        store = LocalStore.open(dir, EntryCodec.defaults(), StoreOptions.defaults().withClock(clock));
        manifests = store.manifests();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Digest key(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsAndOtherFamiliesLeaveItAlone() {
        manifests.update(key("m"), old -> bytes("one"));
        long before = manifests.changes();

        manifests.get(key("m"));
        manifests.get(key("absent"));
        store.entries().put(key("e"), new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, bytes("o"))));

        assertEquals(before, manifests.changes());
    }

    @Test
    void everyKindOfWriteChangesIt() {
        Digest k = key("m");
        long seen = manifests.changes();

        manifests.update(k, old -> bytes("one"));
        seen = assertChanged(seen, "a new value");
        manifests.update(k, old -> bytes("two"));
        seen = assertChanged(seen, "a replaced value");
        manifests.update(k, old -> null);
        seen = assertChanged(seen, "a removed value");
        manifests.update(k, old -> bytes("three"));
        seen = assertChanged(seen, "a value stored again");
        assertTrue(store.family(Kind.MANIFESTS).evictIf(k, r -> true) > 0);
        seen = assertChanged(seen, "an eviction");
        manifests.update(k, old -> bytes("four"));
        seen = assertChanged(seen, "a value stored after the eviction");
        manifests.clear();
        assertChanged(seen, "-C");
    }

    private long assertChanged(long before, String what) {
        long now = manifests.changes();
        assertNotEquals(before, now, what);
        assertNotEquals(BlobStore.UNTRACKED, now);
        return now;
    }

    @Test
    void aUseNotedWithoutAReadCountsForEviction() {
        Digest k = key("m");
        manifests.update(k, old -> bytes("one"));
        long written = store.family(Kind.MANIFESTS).record(k).lastUse();
        clock.advance(Duration.ofHours(5));

        manifests.used(k);
        store.family(Kind.MANIFESTS).flushTouches();

        assertEquals(written + Duration.ofHours(5).toSeconds(), store.family(Kind.MANIFESTS).record(k).lastUse());
    }

    @Test
    void aStoreOfAnotherProcessCannotTell() {
        assertEquals(BlobStore.UNTRACKED, new InMemoryBlobStore().changes());
    }
}
