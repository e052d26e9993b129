package cache.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.WriteBufferManager;
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
 *   <li>{@code catalog}: one {@link CatalogRecord} per entry and manifest (last use, sizes,
 *       namespace), written in the same batch as the value.</li>
 * </ul>
 * The default column family holds the store's layout version ({@value #LAYOUT}: 1 had no
 * catalog and did not count manifests; such a store is adopted in the background after open).
 *
 * <p>Maintenance (adopting an old layout, writing noted hits to the catalog, eviction,
 * recompression) runs on one background thread owned by the store, so at most one such job
 * runs at a time; lookups and writes never wait for it. The synchronous calls for the command
 * line ({@link #cleanup}, {@link #evictOlderThan}, {@link #evictNamespace}, {@link #recompress})
 * queue on that thread and wait. Sizes, limits and eviction are described in
 * {@code docs/internals.md}, "Store size and eviction".
 */
public final class LocalStore implements AutoCloseable {

    static {
        NativeLibraries.loadRocksDb();
    }

    /** The current layout: entries and manifests each have a catalog record. */
    static final int LAYOUT = 2;
    private static final byte[] LAYOUT_KEY = "layout".getBytes(StandardCharsets.UTF_8);
    private static final Logger LOG = Logger.getLogger(LocalStore.class.getName());

    /**
     * RocksDB's memory, bounded for the whole process and shared by every store it opens (a
     * daemon serves many cache directories): one block cache, and the memtables charged to it
     * through one write buffer manager, so that a full set of write buffers flushes instead of
     * growing. Process-wide, never closed.
     *
     * <p>Over its budget, the write buffer manager flushes the store being written to, not the
     * ones holding the memory. A daemon keeps a directory's store open for {@code
     * CACHE_STORE_IDLE_TIMEOUT} after its last call, memtables included; once a few such stores
     * held the budget, every write of the active store flushed a memtable of a few entries (one
     * lua build of 68 objects into a new directory: ten blob files and fourteen tables, 80–110 ms
     * of flush and compaction CPU on a 2-core machine). So each store publishes the size of its
     * memtables ({@link #MEMTABLES}), and flushes them once when it has not been written for
     * {@link LocalStore#IDLE_FLUSH_NANOS} while all stores' memtables together hold more than half the
     * budget ({@link LocalStore#flushIfIdle}).
     */
    private static final class SharedMemory {
        static final long WRITE_BUFFER_BYTES = Long.getLong("cache.store.writeBufferBytes", 24L << 20);
        static final LRUCache BLOCK_CACHE = new LRUCache(Long.getLong("cache.store.blockCacheBytes", 32L << 20));
        static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(WRITE_BUFFER_BYTES, BLOCK_CACHE);
        /** Each open store's memtable bytes, as it last measured them. */
        static final Map<LocalStore, Long> MEMTABLES = new ConcurrentHashMap<>();

        /** Whether the open stores' memtables hold more than half the budget. */
        static boolean crowded() {
            long total = 0;
            for (long bytes : MEMTABLES.values()) {
                total += bytes;
            }
            return total > WRITE_BUFFER_BYTES / 2;
        }
    }

    /** How long a store goes unwritten before its memtables may be flushed to make room for others' (see {@link SharedMemory}). */
    static final long IDLE_FLUSH_NANOS = 1_000_000_000L;

    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final TrackedFamily entryFamily;
    private final TrackedFamily manifestFamily;
    private final RocksEntryStore entries;
    private final RocksCounterStore counters;
    /** What {@link #counters()} hands out: updates written in batches off the caller's path. */
    private final CoalescingCounterStore statistics;
    private final RocksBlobStore manifests;
    private final ScheduledExecutorService maintenance;
    private final AtomicBoolean touchFlushQueued = new AtomicBoolean();
    private final AtomicBoolean cleanupQueued = new AtomicBoolean();
    private final Evictor evictor;
    private final Consumer<CleanupResult> cleanupListener;
    private final Clock clock;
    private final CompactRangeOptions compactOptions;
    private volatile StoreLimits limits;
    private volatile Thread maintenanceThread;
    private volatile boolean closing;
    /** {@link #flushIfIdle}'s record of the store's writes (their sequence number); only on the maintenance thread. */
    private long seenSequence = -1;
    private long seenSequenceNanos;
    private long flushedSequence = -1;

    /** Opens (creating if needed) the store in {@code dir}, with {@link StoreOptions#defaults()}. */
    public static LocalStore open(Path dir, EntryCodec codec) throws IOException {
        return open(dir, codec, StoreOptions.defaults());
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static LocalStore open(Path dir, EntryCodec codec, StoreOptions options) throws IOException {
        try {
            return new LocalStore(dir, codec, options);
        } catch (RocksDBException e) {
            throw new IOException("cannot open the store in " + dir + ": " + e.getMessage(), e);
        }
    }

    private LocalStore(Path dir, EntryCodec codec, StoreOptions settings) throws RocksDBException, IOException {
        Files.createDirectories(dir);
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(SharedMemory.BLOCK_CACHE)
                .setCacheIndexAndFilterBlocks(true).setPinL0FilterAndIndexBlocksInCache(true);
        ColumnFamilyOptions entryOptions = keep(new ColumnFamilyOptions()
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setEnableBlobFiles(true)
                .setMinBlobSize(4096)
                .setEnableBlobGarbageCollection(true)
                .setWriteBufferSize(16L << 20)
                .setTableFormatConfig(table));
        ColumnFamilyOptions counterOptions = keep(new ColumnFamilyOptions()
                .setMergeOperator(keep(new UInt64AddOperator()))
                .setWriteBufferSize(1L << 20)
                .setTableFormatConfig(table));
        // Every family gets the shared cache: one left without would get RocksDB's own, one each.
        ColumnFamilyOptions defaultOptions = keep(new ColumnFamilyOptions().setWriteBufferSize(1L << 20)
                .setTableFormatConfig(table));
        DBOptions options = keep(new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxOpenFiles(256)
                .setKeepLogFileNum(2)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                .setMaxBackgroundJobs(2)
                .setWriteBufferManager(SharedMemory.WRITE_BUFFERS));
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, defaultOptions),
                new ColumnFamilyDescriptor("entries".getBytes(), entryOptions),
                new ColumnFamilyDescriptor("counters".getBytes(), counterOptions),
                new ColumnFamilyDescriptor("manifests".getBytes(), defaultOptions),
                new ColumnFamilyDescriptor("catalog".getBytes(), defaultOptions));
        this.db = RocksDB.open(options, dir.toString(), descriptors, handles);
        this.counters = new RocksCounterStore(db, handles.get(2));
        this.statistics = new CoalescingCounterStore(counters, 100);
        this.compactOptions = keep(new CompactRangeOptions());
        boolean current = layout() >= LAYOUT;
        this.clock = settings.clock();
        LongSupplier seconds = () -> clock.millis() / 1000;
        this.entryFamily = new TrackedFamily(db, handles.get(1), handles.get(4), counters,
                TrackedFamily.Kind.ENTRIES, seconds, !current, this::requestTouchFlush, this::checkLimits, compactOptions);
        this.manifestFamily = new TrackedFamily(db, handles.get(3), handles.get(4), counters,
                TrackedFamily.Kind.MANIFESTS, seconds, !current, this::requestTouchFlush, this::checkLimits,
                compactOptions);
        this.evictor = new Evictor(db, handles.get(4), () -> closing, entryFamily, manifestFamily);
        this.limits = settings.limits();
        this.cleanupListener = settings.cleanupListener();
        this.entries = new RocksEntryStore(entryFamily, codec);
        this.manifests = new RocksBlobStore(manifestFamily);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "store-maintenance " + dir);
            t.setDaemon(true);
            maintenanceThread = t;
            return t;
        });
        if (!current) {
            maintenance.execute(this::adoptLegacy);
        }
        maintenance.scheduleWithFixedDelay(this::flushTouches, TrackedFamily.TOUCH_FLUSH_SECONDS,
                TrackedFamily.TOUCH_FLUSH_SECONDS, TimeUnit.SECONDS);
        SharedMemory.MEMTABLES.put(this, 0L);
        maintenance.scheduleWithFixedDelay(this::flushIfIdle, IDLE_FLUSH_NANOS, IDLE_FLUSH_NANOS, TimeUnit.NANOSECONDS);
    }

    /**
     * Publishes the size of this store's memtables and, when nothing was written to it for
     * {@link #IDLE_FLUSH_NANOS} since its last flush and the open stores' memtables together hold
     * more than half the shared budget, flushes them (in the background: RocksDB's flush
     * threads write the tables, and a close waits for them). See {@link SharedMemory}. On the
     * maintenance thread, so never during a close.
     */
    void flushIfIdle() {
        long now = System.nanoTime();
        long sequence = db.getLatestSequenceNumber();
        if (sequence != seenSequence) {
            seenSequence = sequence;
            seenSequenceNanos = now;
        }
        try {
            SharedMemory.MEMTABLES.put(this, db.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables"));
            if (sequence == flushedSequence || now - seenSequenceNanos < IDLE_FLUSH_NANOS || !SharedMemory.crowded()) {
                return;
            }
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(false)) {
                db.flush(flush, handles);
            }
            flushedSequence = sequence;
        } catch (RocksDBException | RuntimeException e) {
            LOG.log(Level.FINE, "flushing an idle store's memtables failed", e);
        }
    }

    /** Whether a flush of this store's memtables was asked for since its last write (tests). */
    boolean flushedSinceLastWrite() throws InterruptedException, ExecutionException {
        return maintenance.submit(() -> flushedSequence == db.getLatestSequenceNumber()).get();
    }

    /** Writes noted hits to the catalog (on the maintenance thread, or at close). */
    void flushTouches() {
        touchFlushQueued.set(false);
        try {
            entryFamily.flushTouches();
            manifestFamily.flushTouches();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "recording recent use failed", e);
        }
    }

    /** Called after every write that stored a value: starts a cleanup when over a limit. */
    private void checkLimits() {
        if (limits.exceededBy(usage()) && !closing && cleanupQueued.compareAndSet(false, true)) {
            try {
                maintenance.execute(this::automaticCleanup);
            } catch (RejectedExecutionException e) {
                cleanupQueued.set(false);
            }
        }
    }

    /**
     * The background cleanup: least recently used first, down to limit_multiple × limit. Writes
     * made while it runs are accounted for (it stops on the live usage) but do not queue
     * another; the limits are checked again at the end instead.
     */
    private void automaticCleanup() {
        StoreLimits l = limits;
        boolean overAtStart = l.exceededBy(usage());
        CleanupResult result = null;
        try {
            result = lruPass(CleanupResult.Cause.AUTOMATIC, (long) (l.maxSizeBytes() * l.limitMultiple()),
                    (long) (l.maxFiles() * l.limitMultiple()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "store cleanup failed", e);
        } finally {
            cleanupQueued.set(false);
        }
        // Not when a pass that had work evicted nothing: that would loop without progress.
        if (result != null && (result.evictedFiles() > 0 || !overAtStart)) {
            checkLimits();
        }
    }

    private CleanupResult lruPass(CleanupResult.Cause cause, long targetBytes, long targetFiles) {
        flushTouches();
        return report(evictor.leastRecentlyUsed(cause, targetBytes, targetFiles, this::usage));
    }

    private CleanupResult report(CleanupResult result) {
        try {
            cleanupListener.accept(result);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cleanup listener failed", e);
        }
        return result;
    }

    /**
     * Runs {@code job} on the maintenance thread (so it never overlaps a background cleanup)
     * and waits for it. Called on that thread, runs it inline.
     */
    private <T> T onMaintenanceThread(Callable<T> job) {
        try {
            if (Thread.currentThread() == maintenanceThread) {
                return job.call();
            }
            return maintenance.submit(job).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("store maintenance failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted waiting for store maintenance", e);
        } catch (RejectedExecutionException e) {
            throw new StoreException("the store is closing", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("store maintenance failed", e);
        }
    }

    private void requestTouchFlush() {
        if (!closing && touchFlushQueued.compareAndSet(false, true)) {
            try {
                maintenance.execute(this::flushTouches);
            } catch (RejectedExecutionException e) {
                // closing: close() flushes
            }
        }
    }

    private int layout() throws RocksDBException {
        byte[] v = db.get(LAYOUT_KEY);
        return v == null || v.length != 4 ? 1 : ByteBuffer.wrap(v).getInt();
    }

    /**
     * Gives the values of a layout-1 store their catalog records, then marks the store current.
     * A new, empty store passes through here once too.
     */
    private void adoptLegacy() {
        try {
            if (entryFamily.adoptLegacy(() -> closing) && manifestFamily.adoptLegacy(() -> closing)) {
                db.put(LAYOUT_KEY, ByteBuffer.allocate(4).putInt(LAYOUT).array());
            }
        } catch (RuntimeException | RocksDBException e) {
            LOG.log(Level.WARNING, "adopting the store's old layout failed; retried at next open", e);
        }
    }

    public EntryStore entries() {
        return entries;
    }

    /** The statistics counters; updates are written within 0.1 s, reads see all of them. */
    public CounterStore counters() {
        return statistics;
    }

    /** A counter as RocksDB holds it now, without what is still pending (tests). */
    long rawCounter(String name) {
        return counters.get(name);
    }

    /** Direct-mode manifests, keyed by the direct key. */
    public BlobStore manifests() {
        return manifests;
    }

    /** What the store holds now (exact; costs two volatile reads per family). */
    public StoreUsage usage() {
        return new StoreUsage(entryFamily.bytes(), entryFamily.files(), manifestFamily.bytes(), manifestFamily.files());
    }

    /** The limits in force. */
    public StoreLimits limits() {
        return limits;
    }

    /**
     * Replaces the limits (e.g. after {@code -M}/{@code -F} changed the configuration). If the
     * store is already over a new limit, a background cleanup starts.
     */
    public void setLimits(StoreLimits newLimits) {
        this.limits = Objects.requireNonNull(newLimits);
        checkLimits();
    }

    /**
     * ccache's {@code -c}: evicts least recently used entries and manifests until the store is
     * within its limits (the full limits, not limit_multiple × limit), and waits for it. Runs
     * on the maintenance thread after any background pass.
     */
    public CleanupResult cleanup() {
        return onMaintenanceThread(() -> {
            StoreLimits l = limits;
            return lruPass(CleanupResult.Cause.REQUESTED, l.maxSizeBytes(), l.maxFiles());
        });
    }

    /**
     * ccache's {@code --evict-older-than}: evicts every entry and manifest not used for longer
     * than {@code age} (hits not yet flushed count), and waits for it.
     */
    public CleanupResult evictOlderThan(Duration age) {
        return evictMatching(CleanupResult.Cause.OLDER_THAN, olderThan(age));
    }

    /**
     * ccache's {@code --evict-namespace}: evicts every entry and manifest stored with
     * {@code namespace} ({@code ""}: stored without one), and waits for it.
     */
    public CleanupResult evictNamespace(String namespace) {
        Objects.requireNonNull(namespace);
        return evictMatching(CleanupResult.Cause.NAMESPACE, r -> r.namespace().equals(namespace));
    }

    /** Both options together: evicts what is in {@code namespace} and older than {@code age}. */
    public CleanupResult evictNamespace(String namespace, Duration age) {
        Objects.requireNonNull(namespace);
        Predicate<CatalogRecord> old = olderThan(age);
        return evictMatching(CleanupResult.Cause.NAMESPACE, r -> r.namespace().equals(namespace) && old.test(r));
    }

    private Predicate<CatalogRecord> olderThan(Duration age) {
        long cutoff = clock.millis() / 1000 - age.toSeconds();
        return r -> r.lastUse() < cutoff;
    }

    private CleanupResult evictMatching(CleanupResult.Cause cause, Predicate<CatalogRecord> doomed) {
        return onMaintenanceThread(() -> {
            flushTouches();
            return report(evictor.matching(cause, doomed));
        });
    }

    /** ccache's {@code -x}: how well the entries compress, from the catalog (no entry is read). */
    public CompressionStats compressionStats() {
        long[] sums = new long[3];
        entryFamily.forEachRecord((key, r) -> {
            sums[0]++;
            sums[1] += r.storedSize();
            sums[2] += r.payloadSize();
        });
        return new CompressionStats(sums[0], sums[1], sums[2]);
    }

    /**
     * ccache's {@code -X}: rewrites every entry with {@code target} (e.g.
     * {@code new EntryCodec(true, level)}, or {@code new EntryCodec(false, 0)} for
     * "uncompressed"), keeping keys, last use and namespaces; entries that fail their checksum
     * are removed and counted. Uses {@code threads} threads and waits; runs on the maintenance
     * thread, so background cleanups wait until it is done (puts and lookups do not). Entries
     * stored later are still encoded with the codec the store was opened with (ccache's
     * {@code -X} does not change {@code compression_level} either).
     */
    public RecompressResult recompress(EntryCodec target, int threads) {
        Objects.requireNonNull(target);
        return onMaintenanceThread(() -> new Recompressor(entryFamily, target, () -> closing).run(threads));
    }

    /** Size of the entries' blob files on disk (for tests of space reclamation). */
    long blobFileBytes() throws RocksDBException {
        return db.getLongProperty(handles.get(1), "rocksdb.total-blob-file-size");
    }

    TrackedFamily family(TrackedFamily.Kind kind) {
        return kind == TrackedFamily.Kind.ENTRIES ? entryFamily : manifestFamily;
    }

    /** Waits until the maintenance jobs submitted so far have run (for tests). */
    void awaitMaintenance() throws InterruptedException, ExecutionException {
        maintenance.submit(() -> { }).get();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    /**
     * Stops maintenance (a running job stops at its next key, a manual compaction is
     * cancelled), flushes noted hits, then closes RocksDB. Waits for the job: closing RocksDB
     * under a running job would crash the JVM.
     */
    @Override
    public void close() {
        closing = true;
        compactOptions.setCanceled(true);
        maintenance.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (maintenance.awaitTermination(10, TimeUnit.SECONDS)) {
                    break;
                }
                LOG.warning("still waiting for store maintenance to stop");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        SharedMemory.MEMTABLES.remove(this); // after maintenance: a last check would publish it again
        flushTouches();
        statistics.close();
        counters.close(); // late counts (a remote write finishing now) are refused, not sent to freed handles
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
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
