package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The statistics counters of a real store: batched writes, but every read sees every update, in order. */
@Timeout(60)
class CoalescingCounterStoreTest {

    @TempDir
    Path dir;

    @Test
    void readsSeeUpdatesThatHaveNotBeenWrittenYet() throws Exception {
        try (LocalStore store = LocalStore.open(dir, EntryCodec.defaults())) {
            CounterStore c = store.counters();
            c.addAll(Map.of("direct_cache_hit", 2L, "cache_miss", 1L));
            c.add("direct_cache_hit", 1);
            Map<String, Long> s = c.snapshot();
            assertEquals(3L, s.get("direct_cache_hit"));
            assertEquals(1L, s.get("cache_miss"));
        }
    }

    @Test
    void aSetReplacesEarlierAdditionsAndLaterOnesGoOnTop() throws Exception {
        try (LocalStore store = LocalStore.open(dir, EntryCodec.defaults())) {
            CounterStore c = store.counters();
            c.add("cache_miss", 5);
            c.snapshot(); // 5 written
            c.add("cache_miss", 7); // pending
            c.set("cache_miss", 0); // -z: the pending 7 are before it
            c.add("cache_miss", 2);
            assertEquals(2L, c.snapshot().get("cache_miss"));
            c.set("stats_zeroed_timestamp", 42);
            assertEquals(42L, c.snapshot().get("stats_zeroed_timestamp"));
        }
    }

    @Test
    void closingWritesWhatIsPendingAndTheTimerWritesOnItsOwn() throws Exception {
        try (LocalStore store = LocalStore.open(dir, EntryCodec.defaults())) {
            store.counters().add("preprocessed_cache_hit", 3);
        }
        try (LocalStore store = LocalStore.open(dir, EntryCodec.defaults())) {
            assertEquals(3L, store.counters().snapshot().get("preprocessed_cache_hit"));
            CoalescingCounterStore c = (CoalescingCounterStore) store.counters();
            c.add("preprocessed_cache_hit", 1);
            long deadline = System.nanoTime() + 10_000_000_000L;
            // the timer's write shows in RocksDB itself, read around the coalescer
            while (readRaw(store, "preprocessed_cache_hit") != 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(4L, readRaw(store, "preprocessed_cache_hit"));
        }
    }

    private static long readRaw(LocalStore store, String name) {
        return store.rawCounter(name);
    }

    @Test
    void concurrentCallsLoseNothing() throws Exception {
        try (LocalStore store = LocalStore.open(dir, EntryCodec.defaults())) {
            CounterStore c = store.counters();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        c.addAll(Map.of("direct_cache_hit", 1L, "cache_miss", 2L));
                        if (i % 1000 == 0) {
                            c.snapshot();
                        }
                    }
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
            assertEquals(20_000L, c.snapshot().get("direct_cache_hit"));
            assertEquals(40_000L, c.snapshot().get("cache_miss"));
        }
    }
}
