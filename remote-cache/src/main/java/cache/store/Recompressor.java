package cache.store;

import cache.hashing.Digest;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Rewrites every entry with another {@link EntryCodec} (ccache's {@code -X}), keeping its key,
 * last use and namespace. Each entry is read without counting as a use, verified by decoding
 * it (checksum first), encoded again, and replaced only if its record did not change
 * meanwhile ({@link TrackedFamily#rewrite}); an entry that fails verification is removed.
 * Entries already in the requested form (same bytes) are not written. The work is spread
 * over a small pool; the catalog scan feeds it through a bounded queue, so memory stays flat.
 */
final class Recompressor {

    private final TrackedFamily entries;
    private final EntryCodec target;
    private final BooleanSupplier stop;
    private final LongAdder verified = new LongAdder();
    private final LongAdder rewritten = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder before = new LongAdder();
    private final LongAdder after = new LongAdder();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    Recompressor(TrackedFamily entries, EntryCodec target, BooleanSupplier stop) {
        this.entries = entries;
        this.target = target;
        this.stop = stop;
    }

    RecompressResult run(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4 * threads), r -> {
                    Thread t = new Thread(r, "store-recompress");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            entries.forEachRecord((key, record) -> {
                if (!stop.getAsBoolean() && failure.get() == null) {
                    pool.execute(() -> recompressGuarded(key));
                }
            });
        } finally {
            pool.shutdown();
            awaitUninterruptibly(pool);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        if (rewritten.sum() > 0 || corrupt.sum() > 0) {
            entries.compact();
        }
        return new RecompressResult(verified.sum(), rewritten.sum(), corrupt.sum(), before.sum(), after.sum());
    }

    private void recompressGuarded(Digest key) {
        try {
            recompress(key);
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void recompress(Digest key) {
        byte[] old = entries.peek(key);
        if (old == null) {
            return;
        }
        CacheEntry entry;
        try {
            entry = target.decode(old);
        } catch (CorruptEntryException e) {
            if (entries.rewrite(key, old.length, null, 0)) {
                corrupt.increment();
            }
            return;
        }
        byte[] fresh = target.encode(entry);
        if (Arrays.equals(fresh, old)) {
            count(old.length, old.length);
        } else if (entries.rewrite(key, old.length, fresh, EntryCodec.payloadLength(fresh, fresh.length))) {
            rewritten.increment();
            count(old.length, fresh.length);
        }
    }

    private void count(long oldSize, long newSize) {
        verified.increment();
        before.add(oldSize);
        after.add(newSize);
    }

    private static void awaitUninterruptibly(ThreadPoolExecutor pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
