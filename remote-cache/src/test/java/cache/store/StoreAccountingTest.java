package cache.store;

import static cache.store.EntryStoreContract.entry;
import static cache.store.EntryStoreContract.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.hashing.Digest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalStore#usage} is exact: after every kind of change, concurrently, and across a reopen or an upgrade. */
@Timeout(120)
class StoreAccountingTest {

    @TempDir
    Path dir;

    private LocalStore store;

    @BeforeEach
    void open() throws Exception {
        store = LocalStore.open(dir, EntryCodec.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** The usage recomputed from the data: what the counters must equal. */
    private StoreUsage actual(List<Digest> manifestKeys) {
        long[] e = {0, 0};
        store.entries().forEachKey(k -> {
            byte[] v = store.entries().getEncoded(k);
            if (v != null) {
                e[0] += v.length;
                e[1]++;
            }
        });
        long mBytes = 0;
        long mFiles = 0;
        for (Digest k : manifestKeys) {
            byte[] v = store.manifests().get(k);
            if (v != null) {
                mBytes += v.length;
                mFiles++;
            }
        }
        return new StoreUsage(e[0], e[1], mBytes, mFiles);
    }

    private static byte[] manifest(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void putsOverwritesRemovesAndManifestsAreCountedExactly() throws Exception {
        List<Digest> manifestKeys = List.of(key("m1"), key("m2"));
        assertEquals(new StoreUsage(0, 0, 0, 0), store.usage());
        store.entries().put(key("a"), entry("small"));
        store.entries().put(key("b"), entry("b".repeat(10_000)));
        store.entries().put(key("a"), entry("a bigger object ".repeat(1000)));
        store.entries().putEncoded(key("c"), new byte[] {1, 2, 3});
        store.entries().remove(key("b"));
        store.entries().remove(key("absent"));
        store.manifests().update(key("m1"), old -> manifest(100));
        store.manifests().update(key("m1"), old -> manifest(300));
        store.manifests().update(key("m2"), old -> manifest(50));
        store.manifests().update(key("m2"), old -> null);
        store.manifests().update(key("m3"), old -> null);
        assertEquals(actual(manifestKeys), store.usage());
        assertEquals(2, store.usage().entries());
        assertEquals(1, store.usage().manifests());
        assertEquals(300, store.usage().manifestBytes());
        assertEquals(store.usage().entryBytes(), store.entries().totalBytes());
        assertEquals(3, store.usage().files());

        StoreUsage before = store.usage();
        store.close();
        store = LocalStore.open(dir, EntryCodec.defaults());
        assertEquals(before, store.usage());
        assertEquals(actual(manifestKeys), store.usage());
    }

    @Test
    void concurrentWritersOnEntriesAndManifestsAccountExactly() throws Exception {
        List<Digest> manifestKeys = SeededWorkers.keys("m", 20);
        SeededWorkers.run(4, 400, (r, i) -> {
            Digest k = key("k" + r.nextInt(30));
            switch (r.nextInt(4)) {
                case 0, 1 -> store.entries().put(k, entry("v".repeat(r.nextInt(5000))));
                case 2 -> store.entries().remove(k);
                default -> store.manifests().update(manifestKeys.get(r.nextInt(20)),
                        old -> r.nextInt(5) == 0 ? null : manifest(r.nextInt(2000)));
            }
        });
        assertEquals(actual(manifestKeys), store.usage());
    }

    @Test
    void clearDuringPutsLeavesExactCounts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    store.entries().put(key("k" + (i % 60)), entry("v" + i));
                }
            });
            Future<?> clearer = pool.submit(() -> {
                for (int i = 0; i < 5; i++) {
                    store.entries().clear();
                }
            });
            writer.get();
            clearer.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(actual(List.of()), store.usage());
    }

    @Test
    void aStoreWrittenBeforeTheCatalogIsAdopted() throws Exception {
        store.close();
        Path old = dir.resolve("old");
        Map<Digest, byte[]> entries = new HashMap<>();
        Map<Digest, byte[]> manifests = new HashMap<>();
        EntryCodec codec = EntryCodec.defaults();
        for (int i = 0; i < 30; i++) {
            entries.put(key("e" + i), codec.encode(entry("old object " + i)));
            manifests.put(key("m" + i), manifest(10 + i));
        }
        LegacyLayout.write(old, entries, manifests);

        store = LocalStore.open(old, codec);
        store.awaitMaintenance();
        List<Digest> manifestKeys = new ArrayList<>(manifests.keySet());
        assertEquals(actual(manifestKeys), store.usage());
        assertEquals(30, store.usage().entries());
        assertEquals(30, store.usage().manifests());
        assertEquals(entry("old object 3"), store.entries().get(key("e3")));
        assertArrayEquals(manifests.get(key("m3")), store.manifests().get(key("m3")));

        store.entries().remove(key("e1"));
        store.entries().put(key("e2"), entry("replaced"));
        store.manifests().update(key("m1"), m -> null);
        store.manifests().update(key("m2"), m -> manifest(500));
        assertEquals(actual(manifestKeys), store.usage());

        StoreUsage before = store.usage();
        store.close();
        store = LocalStore.open(old, codec);
        store.awaitMaintenance();
        assertEquals(before, store.usage());
    }
}
