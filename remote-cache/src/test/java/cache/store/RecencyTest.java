package cache.store;

import static cache.store.EntryStoreContract.entry;
import static cache.store.EntryStoreContract.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.store.TrackedFamily.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hits refresh last use without a synchronous write; the flush writes them, and only for live keys. */
@Timeout(60)
class RecencyTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private LocalStore store;

    @BeforeEach
    void open() throws Exception {
        store = LocalStore.open(dir, EntryCodec.defaults(), StoreOptions.defaults().withClock(clock));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private long lastUse(Kind kind, String k) {
        return store.family(kind).record(key(k)).lastUse();
    }

    @Test
    void aPutRecordsItsTime() {
        long t0 = clock.seconds();
        store.entries().put(key("a"), entry("a"));
        store.manifests().update(key("m"), old -> new byte[] {1});
        assertEquals(t0, lastUse(Kind.ENTRIES, "a"));
        assertEquals(t0, lastUse(Kind.MANIFESTS, "m"));
    }

    @Test
    void aHitIsWrittenByTheFlushNotByTheRead() throws Exception {
        long t0 = clock.seconds();
        store.entries().put(key("a"), entry("a"));
        store.manifests().update(key("m"), old -> new byte[] {1});
        clock.advance(Duration.ofHours(3));
        store.entries().get(key("a"));
        store.manifests().get(key("m"));
        assertEquals(t0, lastUse(Kind.ENTRIES, "a"));
        store.flushTouches();
        assertEquals(clock.seconds(), lastUse(Kind.ENTRIES, "a"));
        assertEquals(clock.seconds(), lastUse(Kind.MANIFESTS, "m"));
    }

    @Test
    void getEncodedCountsAsAUse() {
        store.entries().put(key("a"), entry("a"));
        clock.advance(Duration.ofMinutes(5));
        store.entries().getEncoded(key("a"));
        store.flushTouches();
        assertEquals(clock.seconds(), lastUse(Kind.ENTRIES, "a"));
    }

    @Test
    void aFlushDoesNotBringBackARemovedKey() throws Exception {
        store.entries().put(key("a"), entry("a"));
        store.entries().get(key("a"));
        store.entries().remove(key("a"));
        store.flushTouches();
        assertNull(store.family(Kind.ENTRIES).record(key("a")));
        assertEquals(0, store.usage().files());
    }

    @Test
    void aFlushNeverMovesLastUseBack() throws Exception {
        store.entries().put(key("a"), entry("a"));
        store.entries().get(key("a"));
        clock.advance(Duration.ofMinutes(5));
        store.entries().put(key("a"), entry("newer"));
        store.flushTouches();
        assertEquals(clock.seconds(), lastUse(Kind.ENTRIES, "a"));
    }

    @Test
    void closeFlushesPendingHits() throws Exception {
        store.entries().put(key("a"), entry("a"));
        clock.advance(Duration.ofDays(1));
        store.entries().get(key("a"));
        long hit = clock.seconds();
        store.close();
        store = LocalStore.open(dir, EntryCodec.defaults(), StoreOptions.defaults().withClock(clock));
        assertEquals(hit, lastUse(Kind.ENTRIES, "a"));
    }
}
