package cache.store;

import cache.hashing.Digest;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Entries in RocksDB. Size accounting lives in the counter column family ({@value #BYTES},
 * {@value #FILES}) and is updated in the same write batch as the entry, so it can not drift
 * from the data even when the process is killed between two writes.
 */
final class RocksEntryStore implements EntryStore {

    static final String BYTES = "store.bytes";
    static final String FILES = "store.entries";
    private static final int STRIPES = 64;

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final EntryCodec codec;
    private final RocksCounterStore counters;
    private final WriteOptions writeOptions = new WriteOptions();
    /** Serialises read-old-size-then-write per key stripe, so concurrent puts account exactly. */
    private final Object[] stripes = new Object[STRIPES];

    RocksEntryStore(RocksDB db, ColumnFamilyHandle cf, EntryCodec codec, RocksCounterStore counters) {
        this.db = db;
        this.cf = cf;
        this.codec = codec;
        this.counters = counters;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public CacheEntry get(Digest key) throws CorruptEntryException {
        byte[] stored = getEncoded(key);
        if (stored == null) {
            return null;
        }
        try {
            return codec.decode(stored);
        } catch (CorruptEntryException e) {
            remove(key);
            throw e;
        }
    }

    @Override
    public void put(Digest key, CacheEntry entry) {
        putEncoded(key, codec.encode(entry));
    }

    @Override
    public byte[] getEncoded(Digest key) {
        try {
            return db.get(cf, key.toBytes());
        } catch (RocksDBException e) {
            throw new StoreException("entry read failed", e);
        }
    }

    @Override
    public void forEachKey(java.util.function.Consumer<Digest> action) {
        try (org.rocksdb.RocksIterator it = db.newIterator(cf)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (k.length == Digest.BYTES) {
                    action.accept(Digest.fromBytes(k));
                }
            }
        }
    }

    @Override
    public void putEncoded(Digest key, byte[] encoded) {
        byte[] k = key.toBytes();
        synchronized (stripe(key)) {
            try (WriteBatch batch = new WriteBatch()) {
                byte[] old = db.get(cf, k);
                batch.put(cf, k, encoded);
                counters.addTo(batch, BYTES, encoded.length - (old == null ? 0 : old.length));
                if (old == null) {
                    counters.addTo(batch, FILES, 1);
                }
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new StoreException("entry write failed", e);
            }
        }
    }

    @Override
    public boolean remove(Digest key) {
        byte[] k = key.toBytes();
        synchronized (stripe(key)) {
            try (WriteBatch batch = new WriteBatch()) {
                byte[] old = db.get(cf, k);
                if (old == null) {
                    return false;
                }
                batch.delete(cf, k);
                counters.addTo(batch, BYTES, -old.length);
                counters.addTo(batch, FILES, -1);
                db.write(writeOptions, batch);
                return true;
            } catch (RocksDBException e) {
                throw new StoreException("entry delete failed", e);
            }
        }
    }

    @Override
    public void clear() {
        byte[] first = new byte[Digest.BYTES];
        byte[] past = new byte[Digest.BYTES + 1];
        java.util.Arrays.fill(past, (byte) 0xff);
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.deleteRange(cf, first, past);
            counters.set(BYTES, 0);
            counters.set(FILES, 0);
            db.flush(flush, cf);
            db.compactRange(cf);
        } catch (RocksDBException e) {
            throw new StoreException("clearing the store failed", e);
        }
    }

    @Override
    public long totalBytes() {
        return counters.get(BYTES);
    }

    @Override
    public long entryCount() {
        return counters.get(FILES);
    }

    private Object stripe(Digest key) {
        return stripes[(int) (key.low() & (STRIPES - 1))];
    }
}
