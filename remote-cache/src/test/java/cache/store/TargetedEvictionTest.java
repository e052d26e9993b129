package cache.store;

import static cache.store.EvictionTest.entry;
import static cache.store.EvictionTest.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.store.TrackedFamily.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --evict-older-than} and {@code --evict-namespace}. */
@Timeout(60)
class TargetedEvictionTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final List<CleanupResult> cleanups = new CopyOnWriteArrayList<>();
    private LocalStore store;

    @BeforeEach
    void open() throws Exception {
        store = LocalStore.open(dir, EntryCodec.defaults(),
                StoreOptions.defaults().withClock(clock).withCleanupListener(cleanups::add));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private boolean hasEntry(String k) {
        return store.family(Kind.ENTRIES).record(key(k)) != null;
    }

    @Test
    void evictOlderThanRemovesWhatWasNotUsedSinceAndKeepsRecentHits() throws Exception {
        store.entries().put(key("old"), entry(1, 500));
        store.entries().put(key("old but hit"), entry(2, 500));
        store.manifests().update(key("old manifest"), m -> new byte[] {1});
        clock.advance(Duration.ofDays(3));
        store.entries().put(key("new"), entry(3, 500));
        store.entries().get(key("old but hit")); // not flushed yet: must still count
        clock.advance(Duration.ofHours(1));

        CleanupResult result = store.evictOlderThan(Duration.ofDays(2));
        assertEquals(CleanupResult.Cause.OLDER_THAN, result.cause());
        assertEquals(2, result.evictedFiles());
        assertEquals(EntryCodec.defaults().encode(entry(1, 500)).length + 1, result.evictedBytes());
        assertEquals(List.of(result), cleanups);
        assertNull(store.manifests().get(key("old manifest")));
        assertEquals(false, hasEntry("old"));
        assertEquals(true, hasEntry("old but hit"));
        assertEquals(true, hasEntry("new"));
        assertEquals(2, store.usage().files());
    }

    @Test
    void evictNamespaceRemovesOnlyThatNamespace() throws Exception {
        store.entries().put(key("a1"), entry(1, 100), "project-a");
        store.entries().putEncoded(key("a2"), EntryCodec.defaults().encode(entry(2, 100)), "project-a");
        store.manifests().update(key("a manifest"), m -> new byte[] {1}, "project-a");
        store.entries().put(key("b1"), entry(3, 100), "project-b");
        store.entries().put(key("plain"), entry(4, 100));
        store.manifests().update(key("plain manifest"), m -> new byte[] {2});

        CleanupResult result = store.evictNamespace("project-a");
        assertEquals(new CleanupResult(CleanupResult.Cause.NAMESPACE, 3,
                2L * EntryCodec.defaults().encode(entry(1, 100)).length + 1), result);
        assertEquals(false, hasEntry("a1"));
        assertEquals(false, hasEntry("a2"));
        assertNull(store.manifests().get(key("a manifest")));
        assertEquals(true, hasEntry("b1"));
        assertEquals(true, hasEntry("plain"));
        assertNotNull(store.manifests().get(key("plain manifest")));

        assertEquals(2, store.evictNamespace("").evictedFiles(), "the empty namespace is what was stored without one");
        assertEquals(1, store.usage().files());
    }

    @Test
    void aNamespaceSurvivesHitsAndReopen() throws Exception {
        store.entries().put(key("a"), entry(1, 100), "ns");
        clock.advance(Duration.ofHours(2));
        store.entries().get(key("a"));
        store.close();
        store = LocalStore.open(dir, EntryCodec.defaults(), StoreOptions.defaults().withClock(clock));
        assertEquals("ns", store.family(Kind.ENTRIES).record(key("a")).namespace());
        assertEquals(clock.seconds(), store.family(Kind.ENTRIES).record(key("a")).lastUse());
    }

    @Test
    void namespaceAndAgeTogether() throws Exception {
        store.entries().put(key("old a"), entry(1, 100), "a");
        store.entries().put(key("old b"), entry(2, 100), "b");
        clock.advance(Duration.ofDays(10));
        store.entries().put(key("new a"), entry(3, 100), "a");
        assertEquals(1, store.evictNamespace("a", Duration.ofDays(1)).evictedFiles());
        assertEquals(false, hasEntry("old a"));
        assertEquals(true, hasEntry("old b"));
        assertEquals(true, hasEntry("new a"));
    }
}
