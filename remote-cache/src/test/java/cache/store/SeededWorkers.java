package cache.store;

import cache.hashing.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The workers of a store's concurrency tests: {@code threads} threads at once, each running
 * {@code steps} steps with a {@link Random} of its own seeded with its index (0, 1, …), so a
 * failing run repeats its choices; the first failure of any worker is thrown.
 */
final class SeededWorkers {

    private SeededWorkers() {
    }

    /** One step of a worker: {@code step} counts from 0. */
    @FunctionalInterface
    interface Step {
        void run(Random random, int step) throws Exception;
    }

    static void run(int threads, int steps, Step body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < steps; i++) {
                        body.run(r, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code n} keys named {@code prefix0} … {@code prefix(n-1)}. */
    static List<Digest> keys(String prefix, int n) {
        List<Digest> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(EntryStoreContract.key(prefix + i));
        }
        return keys;
    }
}
