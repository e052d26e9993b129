package cache.store;

import cache.hashing.Digest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One column family of values (entries or manifests) in which every value has a
 * {@link CatalogRecord} and whose sizes are added up in two persistent counters.
 *
 * <p>Invariants, kept by making every change under the key's stripe lock in one
 * {@link WriteBatch}:
 * <ul>
 *   <li>a value and its catalog record are written and deleted together;</li>
 *   <li>the counters ({@link Kind#bytesCounter}, {@link Kind#filesCounter}) equal the sum of
 *       the records' stored sizes and their number, also after a crash (one batch, WAL on);</li>
 *   <li>the in-memory totals equal the counters: they are loaded at open and added to after
 *       each successful write, so reading them costs nothing.</li>
 * </ul>
 * The prior size of a key is taken from its record, never from its value, so an overwrite or
 * a removal does not read an object back from a blob file.
 *
 * <p>Recency: a hit ({@link #get}) only notes the time in memory; {@link #flushTouches} (on the
 * store's maintenance thread, every {@value #TOUCH_FLUSH_SECONDS} s, before each eviction and at
 * close) writes the newest time of every touched key into its record, one batch per stripe. A
 * hit therefore costs no RocksDB write, and last use is precise to the flush interval; hits
 * not yet flushed when the process is killed are lost, which only makes those entries look
 * older than they are.
 *
 * <p>{@link #clear} takes the write side of a read-write lock whose read side every other
 * change holds, so a range delete and the counter reset are atomic against concurrent puts.
 *
 * <p>Stores written before the catalog existed (layout 1) have values without records;
 * entries were counted then, manifests were not. Until {@link #adoptLegacy} has given each of
 * them a record (last use = adoption time), changes fall back to probing the value for its
 * length.
 */
final class TrackedFamily {

    /** The two families, their catalog tag and their counters. Names are persistent. */
    enum Kind {
        ENTRIES((byte) 'e', "store.bytes", "store.entries", true),
        MANIFESTS((byte) 'm', "store.manifest_bytes", "store.manifests", false);

        final byte tag;
        final String bytesCounter;
        final String filesCounter;
        /** Whether layout 1 already counted these values. */
        final boolean legacyCounted;

        Kind(byte tag, String bytesCounter, String filesCounter, boolean legacyCounted) {
            this.tag = tag;
            this.bytesCounter = bytesCounter;
            this.filesCounter = filesCounter;
            this.legacyCounted = legacyCounted;
        }
    }

    private static final int STRIPES = 64;
    /** How often noted hits are written to the catalog; also the precision of last use. */
    static final long TOUCH_FLUSH_SECONDS = 60;
    /** Noted hits beyond which a flush is requested early, bounding the memory they take. */
    private static final int MAX_PENDING_TOUCHES = 100_000;

    private final RocksDB db;
    private final ColumnFamilyHandle values;
    private final ColumnFamilyHandle catalog;
    private final RocksCounterStore counters;
    private final Kind kind;
    private final LongSupplier clock;
    private final WriteOptions writeOptions = new WriteOptions();
    private final Object[] stripes = new Object[STRIPES];
    private final ReentrantReadWriteLock structure = new ReentrantReadWriteLock();
    private final AtomicLong bytes;
    /** See {@link #changes()}. */
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong files;
    /** Hits not yet written to the catalog: key → epoch seconds of the latest. */
    private final ConcurrentHashMap<Digest, Long> touched = new ConcurrentHashMap<>();
    private final Runnable touchPressure;
    private final Runnable grew;
    private final CompactRangeOptions compactOptions;
    /** True until {@link #adoptLegacy} finished: some values may still lack a record. */
    private volatile boolean legacyPossible;

    /**
     * @param clock epoch seconds, the time recorded as last use
     * @param legacyPossible whether the store may hold values written before the catalog
     * @param touchPressure called (from a reader's thread; must not block) when many hits wait
     *     to be flushed
     * @param grew called (from a writer's thread, after the write; must not block) when a write
     *     stored a value, so the store can check its limits
     * @param compactOptions for manual compactions; the store cancels them through it at close
     */
    TrackedFamily(RocksDB db, ColumnFamilyHandle values, ColumnFamilyHandle catalog, RocksCounterStore counters,
            Kind kind, LongSupplier clock, boolean legacyPossible, Runnable touchPressure, Runnable grew,
            CompactRangeOptions compactOptions) {
        this.db = db;
        this.values = values;
        this.catalog = catalog;
        this.counters = counters;
        this.kind = kind;
        this.clock = clock;
        this.legacyPossible = legacyPossible;
        this.touchPressure = touchPressure;
        this.grew = grew;
        this.compactOptions = compactOptions;
        this.bytes = new AtomicLong(counters.get(kind.bytesCounter));
        this.files = new AtomicLong(counters.get(kind.filesCounter));
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    Kind kind() {
        return kind;
    }

    /** Sum of the stored sizes of all values. */
    long bytes() {
        return bytes.get();
    }

    /** Number of values. */
    long files() {
        return files.get();
    }

    /** The stored value, or {@code null}. A hit counts as a use (noted in memory only). */
    byte[] get(Digest key) {
        byte[] value;
        try {
            value = db.get(values, key.toBytes());
        } catch (RocksDBException e) {
            throw new StoreException(this + " read failed", e);
        }
        if (value != null) {
            used(key);
        }
        return value;
    }

    /** Notes a hit on {@code key} read earlier (see {@link BlobStore#used}). */
    void used(Digest key) {
        touched.put(key, now());
        if (touched.size() > MAX_PENDING_TOUCHES) {
            touchPressure.run();
        }
    }

    /**
     * Changes of values written so far (puts, updates, removals, evictions, clears), counted
     * after each is applied: a reader that reads this before a {@link #get} and finds it the same
     * later knows no value changed since ({@link BlobStore#changes}).
     */
    long changes() {
        return changes.get();
    }

    /** The stored value, or {@code null}, without counting as a use (for maintenance). */
    byte[] peek(Digest key) {
        try {
            return db.get(values, key.toBytes());
        } catch (RocksDBException e) {
            throw new StoreException(this + " read failed", e);
        }
    }

    /** Calls {@code action} for every record of this family (an iterator's snapshot). */
    void forEachRecord(BiConsumer<Digest, CatalogRecord> action) {
        byte[] prefix = {kind.tag};
        try (ReadOptions scan = new ReadOptions().setFillCache(false); RocksIterator it = db.newIterator(catalog, scan)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] ck = it.key();
                if (ck[0] != kind.tag) {
                    break;
                }
                if (ck.length == CatalogRecord.KEY_BYTES) {
                    action.accept(Digest.fromBytes(Arrays.copyOfRange(ck, 1, ck.length)), CatalogRecord.decode(it.value()));
                }
            }
        }
    }

    /**
     * Replaces the value of {@code key} by {@code value} (or removes it when {@code null}),
     * keeping its last use and namespace, if its record still says {@code expectedSize}: a
     * key written meanwhile is left alone. (A concurrent put of the same size is not told
     * apart; it is a value for the same key, so replacing it is harmless.)
     *
     * @return whether the value was replaced
     */
    boolean rewrite(Digest key, long expectedSize, byte[] value, long payloadSize) {
        byte[] k = key.toBytes();
        byte[] ck = catalogKey(k);
        return underLock(key, "rewrite", () -> {
            byte[] stored = db.get(catalog, ck);
            if (stored == null) {
                return false;
            }
            CatalogRecord record = CatalogRecord.decode(stored);
            if (record.storedSize() != expectedSize) {
                return false;
            }
            try (WriteBatch batch = new WriteBatch()) {
                if (value == null) {
                    batch.delete(values, k);
                    batch.delete(catalog, ck);
                    commit(batch, -record.storedSize(), -1);
                } else {
                    batch.put(values, k, value);
                    batch.put(catalog, ck, new CatalogRecord(record.lastUse(), value.length, payloadSize,
                            record.namespace()).encode());
                    commit(batch, value.length - record.storedSize(), 0);
                }
            }
            return true;
        });
    }

    /** The catalog record of {@code key}, or {@code null} (for tests and maintenance). */
    CatalogRecord record(Digest key) {
        try {
            byte[] r = db.get(catalog, catalogKey(key.toBytes()));
            return r == null ? null : CatalogRecord.decode(r);
        } catch (RocksDBException e) {
            throw new StoreException(this + " catalog read failed", e);
        }
    }

    /**
     * Writes the noted hits into the records: last use becomes the newest hit's time. A key
     * removed meanwhile is skipped (its record is not brought back).
     */
    void flushTouches() {
        if (touched.isEmpty()) {
            return;
        }
        Map<Integer, List<Digest>> byStripe = new HashMap<>();
        for (Digest key : touched.keySet()) {
            byStripe.computeIfAbsent(stripe(key), s -> new ArrayList<>()).add(key);
        }
        for (List<Digest> keys : byStripe.values()) {
            underLock(keys.get(0), "recording use", () -> {
                try (WriteBatch batch = new WriteBatch()) {
                    for (Digest key : keys) {
                        Long time = touched.remove(key);
                        byte[] ck = catalogKey(key.toBytes());
                        byte[] stored = time == null ? null : db.get(catalog, ck);
                        if (stored == null) {
                            continue;
                        }
                        CatalogRecord record = CatalogRecord.decode(stored);
                        if (time > record.lastUse()) {
                            batch.put(catalog, ck, record.withLastUse(time).encode());
                        }
                    }
                    if (batch.count() > 0) {
                        db.write(writeOptions, batch);
                    }
                }
                return null;
            });
        }
    }

    /** Stores {@code value}; the last use becomes now. */
    void put(Digest key, byte[] value, long payloadSize, String namespace) {
        byte[] k = key.toBytes();
        byte[] ck = catalogKey(k);
        underLock(key, "write", () -> {
            Prior prior = prior(k, ck);
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(values, k, value);
                batch.put(catalog, ck, new CatalogRecord(now(), value.length, payloadSize, namespace).encode());
                commit(batch, value.length - prior.bytes, 1 - prior.files);
            }
            return null;
        });
        grew.run();
    }

    /**
     * Replaces the value with {@code change.apply(old)} atomically against other changes of the
     * key ({@code null} in or out means absent). The payload size of a stored result is its
     * length: the store does not read these values.
     */
    void update(Digest key, UnaryOperator<byte[]> change, String namespace) {
        byte[] k = key.toBytes();
        byte[] ck = catalogKey(k);
        boolean stored = underLock(key, "update", () -> {
            byte[] old = db.get(values, k);
            byte[] next = change.apply(old);
            if (old == null && next == null) {
                return false;
            }
            Prior prior = priorOf(ck, old);
            try (WriteBatch batch = new WriteBatch()) {
                if (next == null) {
                    batch.delete(values, k);
                    batch.delete(catalog, ck);
                    commit(batch, -prior.bytes, -prior.files);
                } else {
                    batch.put(values, k, next);
                    batch.put(catalog, ck, new CatalogRecord(now(), next.length, next.length, namespace).encode());
                    commit(batch, next.length - prior.bytes, 1 - prior.files);
                }
            }
            return next != null;
        });
        if (stored) {
            grew.run();
        }
    }

    /** @return whether a value was there */
    boolean remove(Digest key) {
        byte[] k = key.toBytes();
        byte[] ck = catalogKey(k);
        return underLock(key, "delete", () -> {
            Prior prior = prior(k, ck);
            if (!prior.present) {
                return false;
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(values, k);
                batch.delete(catalog, ck);
                commit(batch, -prior.bytes, -prior.files);
            }
            return true;
        });
    }

    /**
     * Evicts {@code key} if its record, with any hit noted since the last flush applied, still
     * satisfies {@code doomed}.
     *
     * @return the stored size evicted, or -1 when nothing was
     */
    long evictIf(Digest key, Predicate<CatalogRecord> doomed) {
        byte[] k = key.toBytes();
        byte[] ck = catalogKey(k);
        return underLock(key, "eviction", () -> {
            byte[] stored = db.get(catalog, ck);
            if (stored == null) {
                return -1L;
            }
            CatalogRecord record = CatalogRecord.decode(stored);
            Long hit = touched.get(key);
            if (hit != null && hit > record.lastUse()) {
                record = record.withLastUse(hit);
            }
            if (!doomed.test(record)) {
                return -1L;
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.delete(values, k);
                batch.delete(catalog, ck);
                commit(batch, -record.storedSize(), -1);
            }
            touched.remove(key);
            return record.storedSize();
        });
    }

    /** Calls {@code action} for every stored key (an iterator's snapshot). */
    void forEachKey(Consumer<Digest> action) {
        try (RocksIterator it = db.newIterator(values)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length == Digest.BYTES) {
                    action.accept(Digest.fromBytes(k));
                }
            }
        }
    }

    /** Removes every value and record and zeroes the counters in one batch, then compacts. */
    void clear() {
        byte[] first = new byte[Digest.BYTES];
        byte[] past = new byte[Digest.BYTES + 1];
        Arrays.fill(past, (byte) 0xff);
        Lock exclusive = structure.writeLock();
        exclusive.lock();
        try (WriteBatch batch = new WriteBatch()) {
            batch.deleteRange(values, first, past);
            batch.deleteRange(catalog, new byte[] {kind.tag}, new byte[] {(byte) (kind.tag + 1)});
            counters.setIn(batch, kind.bytesCounter, 0);
            counters.setIn(batch, kind.filesCounter, 0);
            db.write(writeOptions, batch);
            changes.incrementAndGet();
            bytes.set(0);
            files.set(0);
            touched.clear();
        } catch (RocksDBException e) {
            throw new StoreException("clearing " + this + " failed", e);
        } finally {
            exclusive.unlock();
        }
        compact();
    }

    /**
     * Flushes and compacts this family's values and catalog, so deleted data leaves the disk:
     * the tombstones meet the values they delete, blob files whose values are all deleted are
     * dropped, and blob garbage collection moves the live values out of the oldest files
     * (RocksDB's age cutoff, a quarter of the blob files by default; eviction deletes the
     * least recently used values, which are mostly in the oldest files). Stops quietly when
     * the store cancels it at close.
     */
    void compact() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, values);
            db.compactRange(values, null, null, compactOptions);
            db.compactRange(catalog, new byte[] {kind.tag}, new byte[] {(byte) (kind.tag + 1)}, compactOptions);
        } catch (RocksDBException e) {
            if (!compactOptions.canceled()) {
                throw new StoreException("compacting " + this + " failed", e);
            }
        }
    }

    /**
     * Gives every value written before the catalog existed a record with last use = now (and
     * counts it if layout 1 did not). Safe against concurrent changes: each key is adopted
     * under its lock, and only when it still has a value and no record.
     *
     * @return false when {@code stop} interrupted it; it is then resumed at the next open
     */
    boolean adoptLegacy(BooleanSupplier stop) {
        long now = now();
        try (ReadOptions scan = new ReadOptions().setFillCache(false); RocksIterator it = db.newIterator(values, scan)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                byte[] k = it.key();
                if (k.length != Digest.BYTES) {
                    continue;
                }
                byte[] ck = catalogKey(k);
                underLock(Digest.fromBytes(k), "adopting an old value", () -> {
                    if (db.get(catalog, ck) != null) {
                        return null;
                    }
                    byte[] head = new byte[EntryCodec.HEADER];
                    int length = db.get(values, k, head);
                    if (length == RocksDB.NOT_FOUND) {
                        return null;
                    }
                    long payload = kind == Kind.ENTRIES ? EntryCodec.payloadLength(head, length) : length;
                    try (WriteBatch batch = new WriteBatch()) {
                        batch.put(catalog, ck, new CatalogRecord(now, length, payload, "").encode());
                        commit(batch, kind.legacyCounted ? 0 : length, kind.legacyCounted ? 0 : 1);
                    }
                    return null;
                });
            }
        }
        legacyPossible = false;
        return true;
    }

    /** What a key contributes to the counters before a change. */
    private record Prior(boolean present, long bytes, long files) {
        static final Prior ABSENT = new Prior(false, 0, 0);
    }

    /** The prior state of a key, from its record, else (layout 1 only) by probing its value. */
    private Prior prior(byte[] k, byte[] ck) throws RocksDBException {
        byte[] record = db.get(catalog, ck);
        if (record != null) {
            return new Prior(true, CatalogRecord.decode(record).storedSize(), 1);
        }
        if (!legacyPossible) {
            return Prior.ABSENT;
        }
        int length = db.get(values, k, new byte[0]);
        return length == RocksDB.NOT_FOUND ? Prior.ABSENT : legacy(length);
    }

    /** The prior state of a key whose value the caller has just read. */
    private Prior priorOf(byte[] ck, byte[] value) throws RocksDBException {
        byte[] record = db.get(catalog, ck);
        if (record != null) {
            return new Prior(true, CatalogRecord.decode(record).storedSize(), 1);
        }
        return value == null ? Prior.ABSENT : legacy(value.length);
    }

    private Prior legacy(long length) {
        return kind.legacyCounted ? new Prior(true, length, 1) : new Prior(true, 0, 0);
    }

    /** Adds the counter changes to {@code batch}, writes it, then updates the in-memory totals. */
    private void commit(WriteBatch batch, long deltaBytes, long deltaFiles) throws RocksDBException {
        if (deltaBytes != 0) {
            counters.addTo(batch, kind.bytesCounter, deltaBytes);
        }
        if (deltaFiles != 0) {
            counters.addTo(batch, kind.filesCounter, deltaFiles);
        }
        db.write(writeOptions, batch);
        changes.incrementAndGet();
        bytes.addAndGet(deltaBytes);
        files.addAndGet(deltaFiles);
    }

    @FunctionalInterface
    private interface LockedAction<T> {
        T run() throws RocksDBException;
    }

    private <T> T underLock(Digest key, String what, LockedAction<T> action) {
        Lock shared = structure.readLock();
        shared.lock();
        try {
            synchronized (stripes[stripe(key)]) {
                return action.run();
            }
        } catch (RocksDBException e) {
            throw new StoreException(this + " " + what + " failed", e);
        } finally {
            shared.unlock();
        }
    }

    private static int stripe(Digest key) {
        return (int) (key.low() & (STRIPES - 1));
    }

    private byte[] catalogKey(byte[] digest) {
        return CatalogRecord.key(kind.tag, digest);
    }

    private long now() {
        return clock.getAsLong();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
