package cache.store;

import cache.hashing.Digest;
import java.util.function.UnaryOperator;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/** A {@link BlobStore} in one RocksDB column family; updates are serialised per key stripe. */
final class RocksBlobStore implements BlobStore {

    private static final int STRIPES = 64;

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final WriteOptions writeOptions = new WriteOptions();
    private final Object[] stripes = new Object[STRIPES];

    RocksBlobStore(RocksDB db, ColumnFamilyHandle cf) {
        this.db = db;
        this.cf = cf;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public byte[] get(Digest key) {
        try {
            return db.get(cf, key.toBytes());
        } catch (RocksDBException e) {
            throw new StoreException("read failed", e);
        }
    }

    @Override
    public void update(Digest key, UnaryOperator<byte[]> change) {
        byte[] k = key.toBytes();
        synchronized (stripes[(int) (key.low() & (STRIPES - 1))]) {
            try {
                byte[] next = change.apply(db.get(cf, k));
                if (next == null) {
                    db.delete(cf, writeOptions, k);
                } else {
                    db.put(cf, writeOptions, k, next);
                }
            } catch (RocksDBException e) {
                throw new StoreException("update failed", e);
            }
        }
    }

    @Override
    public void clear() {
        byte[] first = new byte[Digest.BYTES];
        byte[] past = new byte[Digest.BYTES + 1];
        java.util.Arrays.fill(past, (byte) 0xff);
        try {
            db.deleteRange(cf, first, past);
        } catch (RocksDBException e) {
            throw new StoreException("clear failed", e);
        }
    }
}
