package cache.frontend.daemon;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.frontend.pipeline.CompilePipeline;
import cache.hashing.FileStat;
import cache.store.CacheDirTag;
import cache.store.CleanupResult;
import cache.store.CounterStore;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import cache.store.StoreLimits;
import cache.store.StoreOptions;
import cache.store.StoreUsage;
import cache.store.share.SharedStoreClient;
import cache.store.share.SharedStoreProtocol;
import cache.store.share.SharedStoreServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *   <li>A directory this daemon creates (no {@code <dir>/db} yet) holds nothing, so a compile
 *       call there does not wait for RocksDB to create its store (tens of milliseconds of file
 *       creation and fsyncs, the first call of a fresh CI cache and every call of the build that
 *       overlaps it): the store opens on its own thread while the calls go on with an {@link
 *       OpeningStore}, whose reads are misses (so remote storage answers them) and whose writes
 *       (back-fills, results) wait for the open. Still one open per directory; admin commands
 *       and {@link #lease} wait for it.
 *   <li>The directory is the truth, as it is for ccache, which has no daemon to remember
 *       anything: every call checks that {@code <dir>/db} is still the directory the store was
 *       opened in (device and inode). After {@code rm -rf $CCACHE_DIR} the next call finds it
 *       gone, the old store is closed once its calls end (releasing the disk space) and a new one
 *       is created, so the call is a miss and the directory exists again.
 *   <li>A store no call used for {@code idleNanos} is closed (its memory, file handles and
 *       RocksDB lock given back); the next call opens it again.
 *   <li>A directory shared by several users (group- or world-writable, as ccache's shared-cache
 *       set-up makes it: {@code umask = 002}, a setgid directory) is served by the first
 *       user's daemon to open it, which also listens on {@code <dir>/store.sock} with the
 *       directory's group and write bits, so exactly the users who may write the directory may
 *       connect. Another user's daemon finds RocksDB's lock taken, connects there and uses the
 *       store through {@link SharedStoreClient}: only store operations cross, and every user
 *       still reads, preprocesses and compiles as themselves. When the holder lets the store go,
 *       the next call of another user opens it and becomes the holder.
 * </ul>
 */
final class CacheDirectories implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CacheDirectories.class.getName());
    /** After a store could not be opened, calls for its directory fall back without retrying for this long. */
    static final long RETRY_OPEN_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long an open waits for RocksDB's lock held by a store of ours still closing. */
    private static final long LOCK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    /** sockaddr_un's sun_path, with its terminating NUL. */
    private static final int SOCKET_PATH_MAX = 108;

    private final ConcurrentHashMap<Path, Directory> directories = new ConcurrentHashMap<>();
    /**
     * The last retired store of each directory until it has closed. RocksDB reaches its files by
     * name: a store whose directory was removed still writes and deletes {@code db/NNNNNN.sst}
     * while it closes, which would land in (and corrupt) a new store opened at the same path, so a
     * new store waits for its predecessor's close.
     */
    private final ConcurrentHashMap<Path, Directory> retiring = new ConcurrentHashMap<>();
    private final CompilePipeline.Shared shared;
    private final int umask;
    private final long idleNanos;
    /** Where the sockets of shared directories are served, and their requests run. */
    private final EventLoopGroup loop;
    private final ExecutorService workers;
    private final StoreOpener opener;
    private volatile boolean closed;

    /** How a store is opened: {@link LocalStore#open}; a test may hold it to see what calls do meanwhile. */
    @FunctionalInterface
    interface StoreOpener {
        LocalStore open(Path db, EntryCodec codec, StoreOptions options) throws IOException;
    }

    CacheDirectories(CompilePipeline.Shared shared, int umask, Duration idle, EventLoopGroup loop,
            ExecutorService workers) {
        this(shared, umask, idle, loop, workers, LocalStore::open);
    }

    CacheDirectories(CompilePipeline.Shared shared, int umask, Duration idle, EventLoopGroup loop,
            ExecutorService workers, StoreOpener opener) {
        this.shared = shared;
        this.umask = umask;
        this.idleNanos = idle.toNanos();
        this.loop = loop;
        this.workers = workers;
        this.opener = opener;
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

        /**
         * The store when this daemon holds it; empty when another user's daemon does, or (for a
         * lease of {@link #leaseForCall}) while a new directory's store still opens.
         */
        Optional<LocalStore> local() {
            return Optional.ofNullable(directory.local);
        }

        /** The socket of the daemon that holds the store, when it is not this one. */
        Path holder() {
            return directory.dir.resolve(SharedStoreProtocol.SOCKET_NAME);
        }

        CounterStore counters() {
            return directory.local != null ? directory.local.counters() : directory.remote.counters();
        }

        StoreUsage usage() {
            return directory.local != null ? directory.local.usage() : directory.remote.usage();
        }

        /** {@code -C}: every entry and manifest removed. */
        void clear() {
            if (directory.local != null) {
                directory.local.entries().clear();
                directory.local.manifests().clear();
            } else {
                directory.remote.clear();
            }
        }

        /** {@code -c}: down to the limits. */
        void cleanup() {
            if (directory.local != null) {
                directory.local.cleanup();
            } else {
                directory.remote.cleanup();
            }
        }

        CompilePipeline pipeline() {
            return directory.pipeline;
        }

        /**
         * Brings the store in line with a call's configuration: {@code max_size}, {@code max_files}
         * or {@code limit_multiple} may have changed ({@code -M}, an edited file, the environment)
         * since it was opened. A shared store held by another daemon keeps that daemon's.
         */
        void applyConfig(Config c) {
            LocalStore s = directory.local;
            if (s == null) {
                return;
            }
            StoreLimits wanted = limitsOf(c);
            if (!wanted.equals(s.limits())) {
                LOG.info(directory.dir + ": store limits now " + wanted);
                s.setLimits(wanted);
            }
        }

        @Override
        public synchronized void close() {
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
        if (d == null || !d.isOpen() || d.opening()) {
            return null; // a store still opening: its writes would wait, so not on an event loop
        }
        if (!d.stillAt(FileStat.ofOrNull(d.db))) {
            retire(d, "its directory was removed or replaced");
            return null;
        }
        SharedStoreClient remote = d.remote;
        if (remote != null && remote.holderGone()) {
            retire(d, "the daemon holding its store stopped");
            return null;
        }
        return d.lease() ? new Lease(d) : null;
    }

    /**
     * The store of {@code dir} for one call, opened (and the directory created) first if needed,
     * with the store's compression and first limits taken from {@code config}.
     *
     * @param callerUmask the calling process's umask: new directories get the mode it (or the
     *     configuration's {@code umask}) gives, as ccache creates them
     * @throws IOException when the store cannot be opened (permissions, another process holding
     *     it without sharing it, a full disk); the call then runs the compiler without the cache
     */
    Lease lease(Path dir, Config config, int callerUmask) throws IOException {
        Lease l = lease(dir, config, callerUmask, false);
        try {
            l.directory.awaitOpen();
        } catch (IOException e) {
            l.close();
            throw e;
        }
        return l;
    }

    /**
     * {@link #lease}, for a compile call: a directory created here is leased while its store
     * still opens (see {@link OpeningStore}), so the call looks in remote storage (or compiles)
     * at once. Its writes may wait for the open: not on an event loop.
     */
    Lease leaseForCall(Path dir, Config config, int callerUmask) throws IOException {
        return lease(dir, config, callerUmask, true);
    }

    private Lease lease(Path dir, Config config, int callerUmask, boolean inBackground) throws IOException {
        while (true) {
            if (closed) {
                throw new IOException("the daemon is stopping");
            }
            Directory d = directories.computeIfAbsent(dir, Directory::new);
            d.open(config, config.umask().orElse(callerUmask), inBackground);
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

    /**
     * The counters and usage of every store this daemon holds open, by directory, read without
     * using the store (a scrape must not keep a store from its idle close). Stores reached
     * through another user's daemon are left out: that daemon reports them.
     */
    Map<Path, OpenStore> openStores() {
        Map<Path, OpenStore> out = new java.util.TreeMap<>();
        for (Directory d : directories.values()) {
            OpenStore s = d.readIfOpen();
            if (s != null) {
                out.put(d.dir, s);
            }
        }
        return out;
    }

    /** What {@link #openStores()} tells of one store. */
    record OpenStore(Map<String, Long> counters, StoreUsage usage) {}

    /** Closes the stores no call has used for the idle period; runs every few seconds. */
    void closeIdle() {
        long now = System.nanoTime();
        for (Directory d : directories.values()) {
            if (d.idleSince(now, idleNanos)) {
                retire(d, "idle");
            }
        }
    }

    /**
     * Takes the directory out of service; its store closes once the calls using it end. The
     * close runs on a worker: this may be a call's check on the event loop, and closing RocksDB
     * takes a while.
     */
    private void retire(Directory d, String why) {
        if (directories.remove(d.dir, d)) {
            LOG.info("closing the store of " + d.dir + ": " + why);
        }
        retiring.put(d.dir, d);
        try {
            workers.execute(d::retire);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            d.retire();
        }
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
        /** The store when this daemon holds it, else {@link #remote}; set once, under this object's lock. */
        private volatile LocalStore local;
        private volatile SharedStoreClient remote;
        private volatile CompilePipeline pipeline;
        /** A new directory's store while it opens on its own thread (then done); null when opened by a call. */
        private volatile OpeningStore opening;
        /** The socket other users' daemons reach {@link #local} through, when the directory is shared. */
        private volatile Channel sharing;
        private long device;
        private long inode;
        private IOException failure;
        private long failedAt;
        private int users;
        private long lastUsed = System.nanoTime();
        private boolean retired;
        /** Completes once this directory's store, if it had one, is closed. */
        private final CompletableFuture<Void> storeClosed = new CompletableFuture<>();

        Directory(Path dir) {
            this.dir = dir;
            this.db = dir.resolve("db");
        }

        boolean isOpen() {
            return pipeline != null;
        }

        /** Whether the store is still being opened in the background. */
        boolean opening() {
            OpeningStore o = opening;
            return o != null && !o.isDone();
        }

        /** Waits for a background open to end; its failure is this call's. */
        void awaitOpen() throws IOException {
            OpeningStore o = opening;
            if (o == null) {
                return;
            }
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            o.whenDone(done::countDown);
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the store of " + dir + " opens");
            }
            if (local == null && remote == null) {
                throw new IOException("the store of " + dir + " could not be opened");
            }
        }

        /** Whether {@code now} (a stat of {@code db}) is still the directory the store lives in. */
        boolean stillAt(FileStat now) {
            return now != null && now.device() == device && now.inode() == inode;
        }

        /**
         * Opens the store unless it is open (or opening). With {@code inBackground}, a directory
         * without {@code db} (nothing in it to find) gets {@link #pipeline} at once, on an
         * {@link OpeningStore}, and its store is opened on a thread of its own.
         */
        synchronized void open(Config config, int mask, boolean inBackground) throws IOException {
            if (pipeline != null || retired) {
                return;
            }
            if (failure != null && System.nanoTime() - failedAt < RETRY_OPEN_NANOS) {
                throw failure;
            }
            awaitPredecessor();
            try {
                boolean fresh = inBackground && !Files.exists(db, LinkOption.NOFOLLOW_LINKS);
                createDirectory(dir, mask);
                createDirectory(db, mask);
                try {
                    CacheDirTag.ensure(dir, mask); // as ccache: backup tools leave the directory out
                } catch (IOException e) {
                    LOG.fine(() -> "cannot write " + CacheDirTag.NAME + " in " + dir + ": " + e);
                }
                EntryCodec codec = config.compression() ? new EntryCodec(true, config.compressionLevel())
                        : new EntryCodec(false, 0);
                FileStat at = FileStat.of(db);
                device = at.device();
                inode = at.inode();
                if (fresh) {
                    openInBackground(codec, limitsOf(config));
                } else {
                    long t0 = System.nanoTime();
                    openLocalOrShared(codec, limitsOf(config));
                    pipeline = newPipeline();
                    LOG.fine(() -> "the store of " + dir + " took " + (System.nanoTime() - t0) / 1000 + " µs to open");
                }
                failure = null;
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                failedAt = System.nanoTime();
                LOG.log(Level.WARNING, "cannot open the store of " + dir + "; its calls compile without the cache for "
                        + TimeUnit.NANOSECONDS.toSeconds(RETRY_OPEN_NANOS) + " s", e);
                throw failure;
            }
        }

        private CompilePipeline newPipeline() {
            LocalStore s = local;
            if (s != null) {
                return new CompilePipeline(s.entries(), s.manifests(), s.counters(), shared, Clock.systemUTC(), umask);
            }
            return new CompilePipeline(remote.entries(), remote.manifests(), remote.counters(), shared,
                    Clock.systemUTC(), umask);
        }

        /**
         * {@link #openLocalOrShared} on a thread of its own, the calls meanwhile on an {@link
         * OpeningStore}. A failed open retires the directory: the next call opens it again (or
         * finds that another daemon holds it), as after any failed open.
         */
        private void openInBackground(EntryCodec codec, StoreLimits limits) {
            OpeningStore o = new OpeningStore(dir.toString());
            opening = o;
            pipeline = new CompilePipeline(o.entries(), o.manifests(), o.counters(), shared, Clock.systemUTC(), umask);
            Thread t = new Thread(() -> {
                long t0 = System.nanoTime();
                try {
                    openLocalOrShared(codec, limits);
                    o.opened(local != null
                            ? new OpeningStore.Target(local.entries(), local.manifests(), local.counters())
                            : new OpeningStore.Target(remote.entries(), remote.manifests(), remote.counters()));
                    LOG.fine(() -> "the store of " + dir + " took " + (System.nanoTime() - t0) / 1000
                            + " µs to open, its calls not waiting");
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot open the store of " + dir + "; the calls that began meanwhile"
                            + " keep nothing locally", e);
                    o.failed(e);
                    CacheDirectories.this.retire(this, "its store could not be opened");
                }
            }, "store-open");
            t.setDaemon(true);
            t.start();
        }

        /**
         * Waits for the retired store of this directory to close (see {@link #retiring}); a call
         * that cannot wait that long (calls still using the old store) compiles without the cache,
         * and the next call tries again.
         */
        private void awaitPredecessor() throws IOException {
            Directory before = retiring.get(dir);
            if (before == null || before == this) {
                return;
            }
            try {
                before.storeClosed.get(LOCK_WAIT_NANOS, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IOException("the previous store of " + dir + " is still used by running calls");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the previous store of " + dir + " closes");
            } catch (ExecutionException e) {
                // storeClosed is only ever completed normally
            }
        }

        /**
         * Opens the store here, or, while another process holds RocksDB's lock and serves the
         * directory's socket, connects to it. Waits a little for a lock held without a socket: a
         * store of this daemon still closing, or a daemon of this user exiting while a new
         * client already started this one.
         */
        private void openLocalOrShared(EntryCodec codec, StoreLimits limits) throws IOException {
            long deadline = System.nanoTime() + LOCK_WAIT_NANOS;
            Path socket = dir.resolve(SharedStoreProtocol.SOCKET_NAME);
            while (true) {
                // First the holder's socket: a store opened by another process is not touched
                // (even a failed RocksDB open rotates the holder's info log).
                if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        SharedStoreClient c = new SharedStoreClient(socket, codec,
                                () -> CacheDirectories.this.retire(this, "the daemon holding its store stopped answering"));
                        remote = c;
                        LOG.info("using the store of " + dir + " through " + socket + " (another daemon holds it)");
                        return;
                    } catch (IOException notServed) {
                        // a socket left by a holder that was killed: its lock went with it
                    }
                }
                try {
                    LocalStore s = opener.open(db, codec, StoreOptions.defaults().withLimits(limits)
                            .withCleanupListener(this::countCleanup));
                    local = s;
                    share(s, socket);
                    LOG.info("opened the store of " + dir);
                    return;
                } catch (IOException e) {
                    if (!String.valueOf(e.getMessage()).contains("lock") || System.nanoTime() - deadline > 0) {
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

        /**
         * Serves the store on {@code socket}. For a directory other users may write (its group or
         * world write bit) the socket gets the directory's group and write bits, so that the
         * kernel lets exactly those users connect, and RocksDB's lock file gets them too, so that
         * another of them can open the store once this daemon has let it go. For a private
         * directory the socket is its owner's alone ({@code 0600}): another daemon of the same
         * user (another {@code XDG_RUNTIME_DIR}: a second session, a service) uses the store
         * through it instead of failing on RocksDB's lock.
         */
        private void share(LocalStore s, Path socket) {
            boolean shared = false;
            try {
                PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class);
                Set<PosixFilePermission> perms = attrs.permissions();
                boolean group = perms.contains(PosixFilePermission.GROUP_WRITE);
                boolean others = perms.contains(PosixFilePermission.OTHERS_WRITE);
                shared = group || others;
                Set<PosixFilePermission> mode = EnumSet.of(PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE);
                if (group) {
                    mode.addAll(List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE));
                }
                if (others) {
                    mode.addAll(List.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE));
                }
                if (shared) {
                    grant(db.resolve("LOCK"), mode, attrs);
                }
                if (socket.toString().getBytes(StandardCharsets.UTF_8).length >= SOCKET_PATH_MAX) {
                    if (!shared) {
                        LOG.fine(() -> dir + " is too long a path for a socket in it: another daemon of"
                                + " this user compiles without the cache while this one holds it");
                        return;
                    }
                    LOG.warning("the shared cache directory " + dir + " is too long a path for a socket in it;"
                            + " other users' calls compile without the cache while this daemon holds it");
                    return;
                }
                Files.deleteIfExists(socket); // we hold the lock: a socket there is a dead holder's
                sharing = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                        .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                            @Override
                            protected void initChannel(EpollDomainSocketChannel ch) {
                                if (!lease()) {
                                    ch.close();
                                    return;
                                }
                                LOG.info(dir + ": uid " + peerUid(ch) + " uses the store through " + socket);
                                ch.closeFuture().addListener(f -> release());
                                ch.pipeline().addLast(
                                        new LengthFieldBasedFrameDecoder(SharedStoreProtocol.MAX_FRAME, 0, 4, 0, 4),
                                        new SharedStoreServer(s, workers));
                            }
                        })
                        .bind(new DomainSocketAddress(socket.toString())).sync().channel();
                if (shared) {
                    grant(socket, mode, attrs);
                    LOG.info("serving the shared store of " + dir + " on " + socket);
                } else {
                    Files.setPosixFilePermissions(socket, mode);
                    LOG.info("serving the store of " + dir + " on " + socket + " to this user's other daemons");
                }
            } catch (IOException | RuntimeException e) {
                if (shared) {
                    LOG.log(Level.WARNING, "cannot share the store of " + dir + " with other users", e);
                } else {
                    LOG.fine(() -> "no socket for this user's other daemons in " + dir + ": " + e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Runs on the store's maintenance thread: one counter write. */
        private void countCleanup(CleanupResult r) {
            LocalStore s = local;
            if (s != null && (r.cause() == CleanupResult.Cause.AUTOMATIC
                    || (r.cause() == CleanupResult.Cause.REQUESTED && r.evictedFiles() > 0))) {
                s.counters().add(Counter.CLEANUPS_PERFORMED.id(), 1);
            }
        }

        /**
         * A use begins (a call of ours, or another user's connection): false once retired, or
         * before the store is open (a connection accepted while it opens waits for nothing: the
         * pipeline is set right after the socket is bound).
         */
        synchronized boolean lease() {
            if (retired || (local == null && remote == null && opening == null)) {
                return false;
            }
            users++;
            lastUsed = System.nanoTime();
            return true;
        }

        /** Under the lock that closing takes: the store cannot close while it is read. */
        synchronized OpenStore readIfOpen() {
            LocalStore s = local;
            if (retired || s == null) {
                return null;
            }
            try {
                return new OpenStore(s.counters().snapshot(), s.usage());
            } catch (RuntimeException e) {
                return null;
            }
        }

        synchronized void release() {
            users--;
            lastUsed = System.nanoTime();
            if (retired && users == 0) {
                closeStore();
            }
        }

        synchronized boolean idleSince(long now, long idle) {
            return isOpen() && users == 0 && now - lastUsed > idle;
        }

        synchronized void retire() {
            retired = true;
            if (users == 0) {
                closeStore();
            }
        }

        private void closeStore() {
            OpeningStore o = opening;
            if (o != null && !o.isDone()) {
                // RocksDB is still creating the store: it closes once that ends (a successor waits for it)
                o.whenDone(() -> {
                    synchronized (this) {
                        closeStore();
                    }
                });
                return;
            }
            try {
                if (sharing != null) {
                    sharing.close().awaitUninterruptibly();
                    Files.deleteIfExists(dir.resolve(SharedStoreProtocol.SOCKET_NAME));
                }
                if (local != null) {
                    local.close();
                }
                if (remote != null) {
                    remote.close();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing the store of " + dir + " failed", e);
            } finally {
                storeClosed.complete(null);
                retiring.remove(dir, this);
            }
        }
    }

    /**
     * Creates {@code d} when missing, with the mode the umask gives (ccache's {@code umask}
     * setting, else the caller's), keeping the set-group-ID bit a shared parent passes on.
     */
    private static void createDirectory(Path d, int mask) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        Files.createDirectories(d);
        try {
            int inherited = (Integer) Files.getAttribute(d, "unix:mode") & 02000;
            Files.setAttribute(d, "unix:mode", (0777 & ~mask) | inherited);
        } catch (IOException | RuntimeException e) {
            // made by another process meanwhile: its mode stands
        }
    }

    /** Adds {@code mode} and the directory's group to a file of ours; another user's stays as it is. */
    private static void grant(Path file, Set<PosixFilePermission> mode, PosixFileAttributes dirAttrs) {
        try {
            Set<PosixFilePermission> now = EnumSet.noneOf(PosixFilePermission.class);
            now.addAll(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
            now.addAll(mode);
            Files.setPosixFilePermissions(file, now);
            Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setGroup(dirAttrs.group());
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "cannot widen " + file + ": " + e);
        }
    }

    private static String peerUid(EpollDomainSocketChannel ch) {
        try {
            return String.valueOf(ch.peerCredentials().uid());
        } catch (IOException e) {
            return "?";
        }
    }
}
