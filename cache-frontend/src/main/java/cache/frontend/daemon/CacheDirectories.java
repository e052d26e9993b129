package cache.frontend.daemon;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.frontend.pipeline.CompilePipeline;
import cache.hashing.FileStat;
import cache.store.CleanupResult;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import cache.store.StoreLimits;
import cache.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cache directories one daemon serves: any number, each with its own store (RocksDB in
 * {@code <dir>/db}), counters, limits and compression, all sharing the daemon's threads, JIT and
 * the facts its pipelines learn about files and compilers ({@link CompilePipeline.Shared}).
 *
 * <ul>
 *   <li>A store is opened by the first call that names its directory; concurrent first calls
 *       open it once (the others wait for it).
 *   <li>The directory is the truth, as it is for ccache, which has no daemon to remember
 *       anything: every call checks that {@code <dir>/db} is still the directory the store was
 *       opened in (device and inode). After {@code rm -rf $CCACHE_DIR} the next call finds it
 *       gone, the old store is closed once its calls end (releasing the disk space) and a new one
 *       is created, so the call is a miss and the directory exists again.
 *   <li>A store no call used for {@code idleNanos} is closed (its memory, file handles and
 *       RocksDB lock given back); the next call opens it again.
 * </ul>
 */
final class CacheDirectories implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CacheDirectories.class.getName());
    /** After a store could not be opened, calls for its directory fall back without retrying for this long. */
    static final long RETRY_OPEN_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long an open waits for RocksDB's lock held by a store of ours still closing. */
    private static final long LOCK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final ConcurrentHashMap<Path, Directory> directories = new ConcurrentHashMap<>();
    private final CompilePipeline.Shared shared;
    private final int umask;
    private final long idleNanos;
    private volatile boolean closed;

    CacheDirectories(CompilePipeline.Shared shared, int umask, Duration idle) {
        this.shared = shared;
        this.umask = umask;
        this.idleNanos = idle.toNanos();
    }

    /** What the pipelines of all directories share. */
    CompilePipeline.Shared shared() {
        return shared;
    }

    /** One call's use of a directory's store; closing it lets the store close when idle or retired. */
    final class Lease implements AutoCloseable {
        private final Directory directory;
        private boolean released;

        private Lease(Directory directory) {
            this.directory = directory;
        }

        Path dir() {
            return directory.dir;
        }

        LocalStore store() {
            return directory.store;
        }

        CompilePipeline pipeline() {
            return directory.pipeline;
        }

        /**
         * Brings the store in line with a call's configuration: {@code max_size}, {@code max_files}
         * or {@code limit_multiple} may have changed ({@code -M}, an edited file, the environment)
         * since it was opened.
         */
        void applyConfig(Config c) {
            StoreLimits wanted = limitsOf(c);
            if (!wanted.equals(directory.store.limits())) {
                LOG.info(directory.dir + ": store limits now " + wanted);
                directory.store.setLimits(wanted);
            }
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                directory.release();
            }
        }
    }

    /**
     * The open store of {@code dir} for one call, or null when it must be opened first (which may
     * wait: not on an event loop). The directory's identity is checked here, on every call.
     */
    Lease leaseIfOpen(Path dir) throws IOException {
        Directory d = directories.get(dir);
        if (d == null || !d.isOpen()) {
            return null;
        }
        if (!d.stillAt(FileStat.ofOrNull(d.db))) {
            retire(d, "its directory was removed or replaced");
            return null;
        }
        return d.lease() ? new Lease(d) : null;
    }

    /**
     * The store of {@code dir} for one call, opened (and the directory created) first if needed,
     * with the store's compression and first limits taken from {@code config}.
     *
     * @throws IOException when the store cannot be opened (permissions, another process holding
     *     it, a full disk); the call then runs the compiler without the cache
     */
    Lease lease(Path dir, Config config) throws IOException {
        while (true) {
            if (closed) {
                throw new IOException("the daemon is stopping");
            }
            Directory d = directories.computeIfAbsent(dir, Directory::new);
            d.open(config);
            if (!d.stillAt(FileStat.ofOrNull(d.db))) {
                retire(d, "its directory was removed or replaced");
                continue;
            }
            if (d.lease()) {
                return new Lease(d);
            }
            directories.remove(dir, d); // retired meanwhile: a fresh one
        }
    }

    /** How many stores are open (for tests and the log). */
    int openStores() {
        int n = 0;
        for (Directory d : directories.values()) {
            n += d.isOpen() ? 1 : 0;
        }
        return n;
    }

    /** Closes the stores no call has used for the idle period; runs every few seconds. */
    void closeIdle() {
        long now = System.nanoTime();
        for (Directory d : directories.values()) {
            if (d.idleSince(now, idleNanos)) {
                retire(d, "idle");
            }
        }
    }

    private void retire(Directory d, String why) {
        if (directories.remove(d.dir, d)) {
            LOG.info("closing the store of " + d.dir + ": " + why);
        }
        d.retire();
    }

    @Override
    public void close() {
        closed = true;
        List<Directory> all = new ArrayList<>(directories.values());
        directories.clear();
        for (Directory d : all) {
            d.retire();
        }
    }

    /** ccache's limits from a configuration; values ccache would also not enforce mean "no limit". */
    static StoreLimits limitsOf(Config c) {
        double multiple = c.limitMultiple() > 0 && c.limitMultiple() <= 1 ? c.limitMultiple()
                : StoreLimits.DEFAULT_LIMIT_MULTIPLE;
        return new StoreLimits(Math.max(0, c.maxSize()), Math.max(0, c.maxFiles()), multiple);
    }

    /** One cache directory: its store once opened, and the calls using it. */
    private final class Directory {
        final Path dir;
        final Path db;
        /** Set once, under this object's lock; read without it after {@link #isOpen()}. */
        private volatile LocalStore store;
        private volatile CompilePipeline pipeline;
        private long device;
        private long inode;
        private IOException failure;
        private long failedAt;
        private int users;
        private long lastUsed = System.nanoTime();
        private boolean retired;

        Directory(Path dir) {
            this.dir = dir;
            this.db = dir.resolve("db");
        }

        boolean isOpen() {
            return store != null;
        }

        /** Whether {@code now} (a stat of {@code db}) is still the directory the store lives in. */
        boolean stillAt(FileStat now) {
            return now != null && now.device() == device && now.inode() == inode;
        }

        synchronized void open(Config config) throws IOException {
            if (store != null || retired) {
                return;
            }
            if (failure != null && System.nanoTime() - failedAt < RETRY_OPEN_NANOS) {
                throw failure;
            }
            try {
                Files.createDirectories(dir);
                EntryCodec codec = config.compression() ? new EntryCodec(true, config.compressionLevel())
                        : new EntryCodec(false, 0);
                LocalStore s = openWaitingForLock(db, codec, StoreOptions.defaults()
                        .withLimits(limitsOf(config)).withCleanupListener(this::countCleanup));
                FileStat at = FileStat.of(db);
                device = at.device();
                inode = at.inode();
                pipeline = new CompilePipeline(s.entries(), s.manifests(), s.counters(), shared, Clock.systemUTC(),
                        umask);
                store = s;
                failure = null;
                LOG.info("opened the store of " + dir);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                failedAt = System.nanoTime();
                LOG.log(Level.WARNING, "cannot open the store of " + dir + "; its calls compile without the cache for "
                        + TimeUnit.NANOSECONDS.toSeconds(RETRY_OPEN_NANOS) + " s", e);
                throw failure;
            }
        }

        /** Runs on the store's maintenance thread: one counter write. */
        private void countCleanup(CleanupResult r) {
            LocalStore s = store;
            if (s != null && (r.cause() == CleanupResult.Cause.AUTOMATIC
                    || (r.cause() == CleanupResult.Cause.REQUESTED && r.evictedFiles() > 0))) {
                s.counters().add(Counter.CLEANUPS_PERFORMED.id(), 1);
            }
        }

        synchronized boolean lease() {
            if (retired || store == null) {
                return false;
            }
            users++;
            lastUsed = System.nanoTime();
            return true;
        }

        synchronized void release() {
            users--;
            lastUsed = System.nanoTime();
            if (retired && users == 0) {
                closeStore();
            }
        }

        synchronized boolean idleSince(long now, long idle) {
            return users == 0 && now - lastUsed > idle;
        }

        synchronized void retire() {
            retired = true;
            if (users == 0) {
                closeStore();
            }
        }

        private void closeStore() {
            LocalStore s = store;
            if (s != null) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "closing the store of " + dir + " failed", e);
                }
            }
        }
    }

    /**
     * Opens a store, waiting a little while RocksDB's lock is held: by a store of this daemon
     * still closing after it was retired, or by a daemon of ours that is exiting (an idle exit or
     * {@code --stop-daemon}) while a new client already started this one.
     */
    private static LocalStore openWaitingForLock(Path db, EntryCodec codec, StoreOptions options)
            throws IOException {
        long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
        while (true) {
            try {
                return LocalStore.open(db, codec, options);
            } catch (IOException e) {
                if (System.nanoTime() - deadline > 0 || !String.valueOf(e.getMessage()).contains("lock")) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
