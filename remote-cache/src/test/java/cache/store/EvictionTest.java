package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.TrackedFamily.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Limits, least-recently-used order, and eviction running beside readers and writers. */
@Timeout(120)
class EvictionTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private final List<CleanupResult> cleanups = new CopyOnWriteArrayList<>();
    private LocalStore store;

    private LocalStore open(StoreLimits limits) throws Exception {
        store = LocalStore.open(dir, EntryCodec.defaults(),
                StoreOptions.defaults().withLimits(limits).withClock(clock).withCleanupListener(cleanups::add));
        return store;
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    static Digest key(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Incompressible, so every entry of the same size is stored in the same number of bytes. */
    static CacheEntry entry(int seed, int size) {
        byte[] obj = new byte[size];
        new Random(seed).nextBytes(obj);
        return new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, obj));
    }

    /** Puts e0..e(n-1), one minute apart; returns the stored size of one. */
    private long putAging(int n) {
        for (int i = 0; i < n; i++) {
            store.entries().put(key("e" + i), entry(i, 3000));
            clock.advance(Duration.ofMinutes(1));
        }
        return EntryCodec.defaults().encode(entry(0, 3000)).length;
    }

    /** The entries e0..e(n-1) still stored, looked up without counting as a use. */
    private Set<String> present(int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (store.family(Kind.ENTRIES).record(key("e" + i)) != null) {
                out.add("e" + i);
            }
        }
        return out;
    }

    @Test
    void goingOverMaxSizeEvictsLeastRecentlyUsedDownToLimitMultiple() throws Exception {
        open(StoreLimits.UNLIMITED);
        long size = putAging(20);
        for (int i = 0; i < 5; i++) {
            store.entries().get(key("e" + i)); // e0..e4 are the oldest puts but now the most recent hits
        }
        clock.advance(Duration.ofMinutes(1));
        store.setLimits(new StoreLimits(15 * size, 0, 0.8));
        store.awaitMaintenance();

        assertTrue(store.usage().bytes() <= 12 * size, store.usage().toString());
        Set<String> expected = new HashSet<>();
        for (int i : new int[] {0, 1, 2, 3, 4, 13, 14, 15, 16, 17, 18, 19}) {
            expected.add("e" + i);
        }
        assertEquals(expected, present(20));
        assertEquals(List.of(new CleanupResult(CleanupResult.Cause.AUTOMATIC, 8, 8 * size)), cleanups);

        // A put that takes the store over the limit again starts the next cleanup by itself.
        for (int i = 20; i < 24; i++) {
            store.entries().put(key("e" + i), entry(i, 3000));
            clock.advance(Duration.ofMinutes(1));
        }
        store.awaitMaintenance();
        assertEquals(2, cleanups.size());
        assertTrue(store.usage().bytes() <= 12 * size, store.usage().toString());
        assertTrue(present(24).contains("e23"), "the newest entry survives");
        assertTrue(present(24).contains("e0"), "a recently hit entry survives");
    }

    @Test
    void maxFilesCountsManifestsAndEvictsAcrossBoth() throws Exception {
        open(StoreLimits.UNLIMITED);
        store.manifests().update(key("old manifest"), m -> new byte[] {1, 2, 3});
        clock.advance(Duration.ofMinutes(1));
        putAging(9);
        store.manifests().update(key("new manifest"), m -> new byte[] {4, 5});
        assertEquals(11, store.usage().files());
        store.setLimits(new StoreLimits(0, 10, 0.8));
        store.awaitMaintenance();
        assertEquals(8, store.usage().files());
        assertNull(store.manifests().get(key("old manifest")));
        assertNotNull(store.manifests().get(key("new manifest")));
        assertEquals(Set.of("e2", "e3", "e4", "e5", "e6", "e7", "e8"), present(9));
        assertEquals(1, store.usage().manifests());
    }

    @Test
    void requestedCleanupGoesDownToTheFullLimitAndOpeningDoesNotClean() throws Exception {
        open(StoreLimits.UNLIMITED);
        putAging(20);
        store.close();
        open(new StoreLimits(0, 10, 0.8));
        store.awaitMaintenance();
        assertEquals(20, store.usage().files(), "opening over a limit does not evict");
        CleanupResult result = store.cleanup();
        assertEquals(CleanupResult.Cause.REQUESTED, result.cause());
        assertEquals(10, result.evictedFiles());
        assertEquals(10, store.usage().files());
        assertEquals(List.of(result), cleanups);
        assertEquals(Set.of("e10", "e11", "e12", "e13", "e14", "e15", "e16", "e17", "e18", "e19"), present(20));
        assertEquals(0, store.cleanup().evictedFiles(), "nothing more to do");
    }

    @Test
    void evictedValuesLeaveTheDisk() throws Exception {
        open(StoreLimits.UNLIMITED);
        for (int batch = 0; batch < 10; batch++) {
            for (int i = 0; i < 20; i++) {
                store.entries().put(key("big" + batch + "." + i), entry(batch * 100 + i, 20_000));
            }
            clock.advance(Duration.ofMinutes(1));
            store.family(Kind.ENTRIES).compact(); // flush: one blob file per batch, as memtable flushes make
        }
        long full = store.blobFileBytes();
        assertTrue(full >= 200 * 20_000, "blob files hold the entries: " + full);
        store.setLimits(new StoreLimits(full / 10, 0, 0.8));
        store.awaitMaintenance();
        assertTrue(store.usage().bytes() <= full / 10);
        assertTrue(store.blobFileBytes() < full / 2, "after eviction the blob files shrink: " + store.blobFileBytes());
    }

    @Test
    void aHitAfterTheScanSavesTheEntry() throws Exception {
        open(StoreLimits.UNLIMITED);
        store.entries().put(key("a"), entry(1, 100));
        long seen = store.family(Kind.ENTRIES).record(key("a")).lastUse();
        clock.advance(Duration.ofMinutes(1));
        store.entries().get(key("a")); // noted in memory only
        assertEquals(-1, store.family(Kind.ENTRIES).evictIf(key("a"), r -> r.lastUse() <= seen));
        assertNotNull(store.entries().getEncoded(key("a")));
    }

    @Test
    void evictionRunsBesideReadersAndWritersWithoutErrors() throws Exception {
        open(StoreLimits.UNLIMITED);
        long size = putAging(1);
        store.setLimits(new StoreLimits(30 * size, 0, 0.8));
        List<Digest> manifestKeys = SeededWorkers.keys("m", 10);
        SeededWorkers.run(4, 400, (r, i) -> {
            int k = r.nextInt(200);
            switch (r.nextInt(5)) {
                case 0, 1 -> store.entries().put(key("e" + k), entry(k, 3000));
                case 2, 3 -> {
                    CacheEntry e = store.entries().get(key("e" + k));
                    if (e != null) {
                        assertEquals(entry(k, 3000), e);
                    }
                }
                default -> store.manifests().update(manifestKeys.get(k % 10), m -> new byte[k]);
            }
            if (i % 50 == 0) {
                clock.advance(Duration.ofSeconds(30));
            }
        });
        for (int i = 0; i < 3; i++) {
            store.awaitMaintenance();
        }
        assertTrue(cleanups.size() > 0);
        assertTrue(store.usage().bytes() <= 30 * size, store.usage().toString());
        long[] actual = {0, 0};
        store.entries().forEachKey(k -> {
            actual[0] += store.entries().getEncoded(k).length;
            actual[1]++;
            assertNotNull(store.family(Kind.ENTRIES).record(k), "every entry keeps its record");
        });
        assertEquals(actual[0], store.usage().entryBytes());
        assertEquals(actual[1], store.usage().entries());
        long manifestBytes = 0;
        for (Digest m : manifestKeys) {
            byte[] v = store.manifests().get(m);
            manifestBytes += v == null ? 0 : v.length;
        }
        assertEquals(manifestBytes, store.usage().manifestBytes());
    }
}
