package cache.store;

import cache.hashing.Digest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.UInt64AddOperator;

/** Writes a store the way layout 1 (before the catalog) did, to test that it is adopted. */
final class LegacyLayout {

    private LegacyLayout() {}

    static void write(Path dir, Map<Digest, byte[]> entries, Map<Digest, byte[]> manifests) throws Exception {
        RocksDB.loadLibrary();
        try (UInt64AddOperator add = new UInt64AddOperator();
                ColumnFamilyOptions plain = new ColumnFamilyOptions();
                ColumnFamilyOptions blobs = new ColumnFamilyOptions().setEnableBlobFiles(true).setMinBlobSize(4096);
                ColumnFamilyOptions counting = new ColumnFamilyOptions().setMergeOperator(add);
                DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, plain),
                    new ColumnFamilyDescriptor("entries".getBytes(), blobs),
                    new ColumnFamilyDescriptor("counters".getBytes(), counting),
                    new ColumnFamilyDescriptor("manifests".getBytes(), plain));
            try (RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles)) {
                long bytes = 0;
                for (Map.Entry<Digest, byte[]> e : entries.entrySet()) {
                    db.put(handles.get(1), e.getKey().toBytes(), e.getValue());
                    bytes += e.getValue().length;
                }
                db.merge(handles.get(2), "store.bytes".getBytes(), u64(bytes));
                db.merge(handles.get(2), "store.entries".getBytes(), u64(entries.size()));
                for (Map.Entry<Digest, byte[]> m : manifests.entrySet()) {
                    db.put(handles.get(3), m.getKey().toBytes(), m.getValue());
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
