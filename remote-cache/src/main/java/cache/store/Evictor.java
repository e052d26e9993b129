package cache.store;

import cache.hashing.Digest;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Eviction passes over the catalog. Runs only on the store's maintenance thread, one pass at a
 * time; readers and writers go on meanwhile.
 *
 * <p>A pass reads the catalog (small: no values), decides, then evicts key by key through
 * {@link TrackedFamily#evictIf}, which re-checks the decision under the key's lock against the
 * current record and any hit noted since: a key written or hit after the scan survives.
 *
 * <p>The least-recently-used pass keeps, per record, its 17-byte catalog key and its last use
 * in flat arrays (about 33 bytes per value: 1 M values → 33 MB, briefly), sorts by last use,
 * and evicts from the oldest while the live {@link StoreUsage} is above the targets; so
 * concurrent puts are accounted for without a second scan.
 *
 * <p>Afterwards each family that lost values is compacted: deleted values (and the blob files
 * holding them, through RocksDB's blob garbage collection) then leave the disk instead of
 * waiting for compactions that a store which mostly reads may not trigger for a long time.
 */
final class Evictor {

    private final RocksDB db;
    private final ColumnFamilyHandle catalog;
    private final TrackedFamily[] families;
    private final BooleanSupplier stop;

    Evictor(RocksDB db, ColumnFamilyHandle catalog, BooleanSupplier stop, TrackedFamily... families) {
        this.db = db;
        this.catalog = catalog;
        this.stop = stop;
        this.families = families;
    }

    /**
     * Evicts the least recently used values until the usage is at most {@code targetBytes} and
     * {@code targetFiles} (a target of 0 or less means no limit on that measure).
     */
    CleanupResult leastRecentlyUsed(CleanupResult.Cause cause, long targetBytes, long targetFiles,
            Supplier<StoreUsage> usage) {
        if (within(usage.get(), targetBytes, targetFiles)) {
            return new CleanupResult(cause, 0, 0);
        }
        Scan scan = new Scan();
        try (ReadOptions options = new ReadOptions().setFillCache(false);
                RocksIterator it = db.newIterator(catalog, options)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                scan.add(it.key(), CatalogRecord.decode(it.value()).lastUse());
            }
        }
        Tally tally = new Tally(cause);
        for (long packed : scan.oldestFirst()) {
            if (stop.getAsBoolean() || within(usage.get(), targetBytes, targetFiles)) {
                break;
            }
            int i = (int) packed;
            long seen = scan.times[i];
            tally.evict(scan.key(i), r -> r.lastUse() <= seen);
        }
        return tally.finish();
    }

    /** Evicts every value whose record satisfies {@code doomed} (checked again at eviction). */
    CleanupResult matching(CleanupResult.Cause cause, Predicate<CatalogRecord> doomed) {
        Tally tally = new Tally(cause);
        try (ReadOptions options = new ReadOptions().setFillCache(false);
                RocksIterator it = db.newIterator(catalog, options)) {
            for (it.seekToFirst(); it.isValid() && !stop.getAsBoolean(); it.next()) {
                if (doomed.test(CatalogRecord.decode(it.value()))) {
                    tally.evict(it.key(), doomed);
                }
            }
        }
        return tally.finish();
    }

    private static boolean within(StoreUsage u, long targetBytes, long targetFiles) {
        return (targetBytes <= 0 || u.bytes() <= targetBytes) && (targetFiles <= 0 || u.files() <= targetFiles);
    }

    private TrackedFamily family(byte tag) {
        for (TrackedFamily f : families) {
            if (f.kind().tag == tag) {
                return f;
            }
        }
        return null;
    }

    /** Counts what a pass evicted and which families lost values. */
    private final class Tally {
        private final CleanupResult.Cause cause;
        private final boolean[] shrunk = new boolean[families.length];
        private long files;
        private long bytes;

        Tally(CleanupResult.Cause cause) {
            this.cause = cause;
        }

        void evict(byte[] catalogKey, Predicate<CatalogRecord> doomed) {
            TrackedFamily f = family(catalogKey[0]);
            if (f == null || catalogKey.length != CatalogRecord.KEY_BYTES) {
                return;
            }
            long size = f.evictIf(Digest.fromBytes(Arrays.copyOfRange(catalogKey, 1, CatalogRecord.KEY_BYTES)), doomed);
            if (size >= 0) {
                files++;
                bytes += size;
                shrunk[Arrays.asList(families).indexOf(f)] = true;
            }
        }

        CleanupResult finish() {
            for (int i = 0; i < families.length; i++) {
                if (shrunk[i] && !stop.getAsBoolean()) {
                    families[i].compact();
                }
            }
            return new CleanupResult(cause, files, bytes);
        }
    }

    /** Catalog keys and last uses in flat arrays, sortable by last use without boxing. */
    private static final class Scan {
        private byte[] keys = new byte[CatalogRecord.KEY_BYTES * 1024];
        private long[] times = new long[1024];
        private int n;
        private long minTime = Long.MAX_VALUE;

        void add(byte[] key, long time) {
            if (key.length != CatalogRecord.KEY_BYTES) {
                return;
            }
            if (n == times.length) {
                times = Arrays.copyOf(times, n * 2);
                keys = Arrays.copyOf(keys, keys.length * 2);
            }
            System.arraycopy(key, 0, keys, n * CatalogRecord.KEY_BYTES, CatalogRecord.KEY_BYTES);
            times[n++] = time;
            minTime = Math.min(minTime, time);
        }

        byte[] key(int i) {
            return Arrays.copyOfRange(keys, i * CatalogRecord.KEY_BYTES, (i + 1) * CatalogRecord.KEY_BYTES);
        }

        /** Indexes in the low 32 bits, ordered by last use (seconds since the oldest, high bits). */
        long[] oldestFirst() {
            long[] order = new long[n];
            for (int i = 0; i < n; i++) {
                long age = Math.min(times[i] - minTime, Integer.MAX_VALUE);
                order[i] = age << 32 | i;
            }
            Arrays.sort(order);
            return order;
        }
    }
}
