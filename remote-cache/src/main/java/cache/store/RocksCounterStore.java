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

/** Counters in a column family with the {@code uint64add} merge operator (little-endian u64). */
final class RocksCounterStore implements CounterStore {

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    /** WAL on, no fsync: survives a killed process, which is what counters need. */
    private final WriteOptions writeOptions = new WriteOptions();

    RocksCounterStore(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
    }

    @Override
    public void add(String name, long delta) {
        try {
            db.merge(cf, writeOptions, key(name), encode(delta));
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        }
    }

    @Override
    public void addAll(Map<String, Long> deltas) {
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, Long> d : deltas.entrySet()) {
                batch.merge(cf, key(d.getKey()), encode(d.getValue()));
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        }
    }

    /** Adds {@code adds} and sets {@code sets} in one atomic write. */
    void update(Map<String, Long> adds, Map<String, Long> sets) {
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
        try {
            db.put(cf, writeOptions, key(name), encode(value));
        } catch (RocksDBException e) {
            throw new StoreException("counter update failed", e);
        }
    }

    long get(String name) {
        try {
            byte[] v = db.get(cf, key(name));
            return v == null ? 0 : decode(v);
        } catch (RocksDBException e) {
            throw new StoreException("counter read failed", e);
        }
    }

    @Override
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        try (RocksIterator it = db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                out.put(new String(it.key(), StandardCharsets.UTF_8), decode(it.value()));
            }
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
