package cache.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.UInt64AddOperator;

/**
 * The RocksDB database under a cache directory: one process owns it (RocksDB's LOCK file
 * enforces that). Column families:
 * <ul>
 *   <li>{@code entries}: key digest → {@link EntryCodec} bytes. RocksDB compression is off
 *       (entries are zstd already); values of 4 KiB and more go to blob files so compaction
 *       does not rewrite object files again and again.</li>
 *   <li>{@code counters}: name → little-endian u64, updated with RocksDB's {@code uint64add}
 *       merge operator so increments are atomic without read-modify-write.</li>
 *   <li>{@code manifests}: direct key → manifest bytes (format owned by the front end).</li>
 * </ul>
 */
public final class LocalStore implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final RocksEntryStore entries;
    private final RocksCounterStore counters;
    private final RocksBlobStore manifests;

    private LocalStore(Path dir, EntryCodec codec) throws RocksDBException, IOException {
        Files.createDirectories(dir);
        LRUCache blockCache = keep(new LRUCache(16L << 20));
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache);
        ColumnFamilyOptions entryOptions = keep(new ColumnFamilyOptions()
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setEnableBlobFiles(true)
                .setMinBlobSize(4096)
                .setEnableBlobGarbageCollection(true)
                .setWriteBufferSize(16L << 20)
                .setTableFormatConfig(table));
        ColumnFamilyOptions counterOptions = keep(new ColumnFamilyOptions()
                .setMergeOperator(keep(new UInt64AddOperator()))
                .setWriteBufferSize(1L << 20));
        ColumnFamilyOptions defaultOptions = keep(new ColumnFamilyOptions().setWriteBufferSize(1L << 20));
        DBOptions options = keep(new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxOpenFiles(256)
                .setKeepLogFileNum(2)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setMaxBackgroundJobs(2));
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                new ColumnFamilyDescriptor("entries".getBytes(), entryOptions),
                new ColumnFamilyDescriptor("counters".getBytes(), counterOptions),
                new ColumnFamilyDescriptor("manifests".getBytes(), defaultOptions));
        this.db = RocksDB.open(options, dir.toString(), descriptors, handles);
        this.counters = new RocksCounterStore(db, handles.get(2));
        this.entries = new RocksEntryStore(db, handles.get(1), codec, counters);
        this.manifests = new RocksBlobStore(db, handles.get(3));
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static LocalStore open(Path dir, EntryCodec codec) throws IOException {
        try {
            return new LocalStore(dir, codec);
        } catch (RocksDBException e) {
            throw new IOException("cannot open the store in " + dir + ": " + e.getMessage(), e);
        }
    }

    public EntryStore entries() {
        return entries;
    }

    public CounterStore counters() {
        return counters;
    }

    /** Direct-mode manifests, keyed by the direct key. */
    public BlobStore manifests() {
        return manifests;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        db.close();
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // native handles: nothing useful to do on close failure
            }
        }
    }
}
