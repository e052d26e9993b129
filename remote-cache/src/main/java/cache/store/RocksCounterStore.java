package cache.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Counters in a column family with the {@code uint64add} merge operator (little-endian u64).
 * Counting may come late, from threads outside any call (a remote storage write that finished
 * after its call), even after the store began to close: once {@link #close} has run, every
 * operation throws {@link StoreException} instead of reaching RocksDB's freed handles (which
 * crashed the JVM: a remote write counted into a store closed under it).
 */
final class RocksCounterStore implements CounterStore {

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    /** WAL on, no fsync: survives a killed process, which is what counters need. */
    private final WriteOptions writeOptions = new WriteOptions();
    /** Operations hold it shared; {@link #close} exclusively, so none is under way when the handles go. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock guard =
            new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean closed;

    RocksCounterStore(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
    }

    /** Refuses every later operation, once those under way are done: the store closes its handles next. */
    void close() {
        guard.writeLock().lock();
        try {
            closed = true;
        } finally {
            guard.writeLock().unlock();
        }
    }

    /** Takes the shared hold; throws when the store is closed. */
    private void enter() {
        guard.readLock().lock();
        if (closed) {
            guard.readLock().unlock();
            throw new StoreException("the counters' store is closed", null);
        }
    }

    private void leave() {
        guard.readLock().unlock();
    }

    @Override
    public void add(String name, long delta) {
        enter();
        try {
            db.merge(cf, writeOptions, key(name), encode(delta));
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        } finally {
            leave();
        }
    }

    @Override
    public void addAll(Map<String, Long> deltas) {
        enter();
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, Long> d : deltas.entrySet()) {
                batch.merge(cf, key(d.getKey()), encode(d.getValue()));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        } finally {
            leave();
        }
    }

    /** Adds {@code adds} and sets {@code sets} in one atomic write. */
    void update(Map<String, Long> adds, Map<String, Long> sets) {
        enter();
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, Long> d : adds.entrySet()) {
                batch.merge(cf, key(d.getKey()), encode(d.getValue()));
            }
            for (Map.Entry<String, Long> v : sets.entrySet()) {
                batch.put(cf, key(v.getKey()), encode(v.getValue()));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        } finally {
            leave();
        }
    }

    /** Adds to a batch that the caller writes together with other changes. */
    void addTo(WriteBatch batch, String name, long delta) throws RocksDBException {
        batch.merge(cf, key(name), encode(delta));
    }

    /** Sets a counter in a batch that the caller writes together with other changes. */
    void setIn(WriteBatch batch, String name, long value) throws RocksDBException {
        batch.put(cf, key(name), encode(value));
    }

    @Override
    public void set(String name, long value) {
        enter();
        try {
            db.put(cf, writeOptions, key(name), encode(value));
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        } finally {
            leave();
        }
    }

    long get(String name) {
        enter();
        try {
            byte[] v = db.get(cf, key(name));
            return v == null ? 0 : decode(v);
        } catch (RocksDBException e) {
            throw new StoreException("counter read failed", e);
        } finally {
            leave();
        }
    }

    @Override
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        enter();
        try (RocksIterator it = db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.put(new String(it.key(), StandardCharsets.UTF_8), decode(it.value()));
            }
        } finally {
            leave();
        }
        return out;
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] encode(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static long decode(byte[] v) {
        return v.length == 8 ? ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong() : 0;
    }
}
