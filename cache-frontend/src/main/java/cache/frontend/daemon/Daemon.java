package cache.frontend.daemon;

import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.frontend.pipeline.CompilePipeline;
import cache.process.SupervisedProcessRunner;
import cache.store.LocalStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The per-user daemon: owns the Unix socket the native clients talk to and the stores of every
 * cache directory its calls name ({@link CacheDirectories}). Exits after {@code idleTimeout}
 * without requests.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());
    /** Requests are argv + environment; anything larger is not a compiler call. */
    private static final int MAX_REQUEST = 16 << 20;

    private final DaemonConfig config;
    private final CacheDirectories directories;
    private final SupervisedProcessRunner runner;
    private final int umask;
    private final ConfigLoader configs;
    private final Path systemConfig = Path.of(System.getenv().getOrDefault("CACHE_SYSTEM_CONFIG",
            ConfigLoader.SYSTEM_CONFIG.toString()));
    private final AdminCommand.Context adminContext;
    /**
     * Accepts connections and answers the calls that need no process (direct hits, uncacheable
     * calls) itself. One thread per two cores, so that hits run in parallel on a large machine
     * while on a small one a hit never waits for a hand-off between threads; new connections go
     * round-robin. {@code -Dcache.eventLoops=N} (in {@code CACHE_JAVA_OPTS}) overrides it.
     */
    private final EpollEventLoopGroup loop = new EpollEventLoopGroup(Integer.getInteger("cache.eventLoops",
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "request");
        t.setDaemon(true);
        return t;
    });
    /**
     * The users' requests in flight and when one last started or ended. The {@link Warmup}'s own
     * requests are not counted: they neither keep the daemon from its idle exit nor make it busy.
     */
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final int uid;
    private Channel server;
    private volatile CompilePipeline warmupPipeline;
    private final CompilePipeline.Shared shared;
    /** The optional Prometheus port ({@code CACHE_METRICS_PORT}), or null. */
    private MetricsServer metrics;

    Daemon(DaemonConfig config) throws IOException {
        this(config, LocalStore::open);
    }

    /** @param opener how stores are opened ({@link LocalStore#open}; a test may hold it) */
    Daemon(DaemonConfig config, CacheDirectories.StoreOpener opener) throws IOException {
        this.config = config;
        this.uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        this.umask = detectUmask(config.socket().getParent());
        this.runner = new SupervisedProcessRunner(config.client());
        this.shared = new CompilePipeline.Shared(runner, config.client());
        this.configs = new ConfigLoader(shared.fileWatch());
        this.directories = new CacheDirectories(shared, umask,
                config.storeIdleTimeout(), loop, workers, opener);
        this.adminContext = new AdminCommand.Context(directories, configs, systemConfig,
                config.buildVersion(), Clock.systemDefaultZone(), this::stopSoon);
    }

    void start() throws InterruptedException, IOException {
        start(!"0".equals(System.getenv("CACHE_WARMUP")));
    }

    /** Binds the socket and serves; with {@code warmUp}, runs the start-up {@link Warmup} in the background. */
    void start(boolean warmUp) throws InterruptedException, IOException {
        Files.deleteIfExists(config.socket());
        // The coarse clock's binding (java.lang.foreign, ~0.3 s at first use) is made now, off any
        // call's path: a miss reads it before its preprocessor starts (Call#readersStart).
        Thread clock = new Thread(cache.hashing.CoarseClock::available, "coarse-clock");
        clock.setDaemon(true);
        clock.start();
        // Before binding: once the socket answers, the pid file is there too.
        Files.writeString(pidFile(), ProcessHandle.current().pid() + "\n");
        // Also before binding: `cache --start-daemon` returns when the socket answers, and the
        // first call would otherwise wait for this store's open (~0.2 s) anyway.
        openStartingStore();
        try {
            metrics = MetricsServer.fromEnvironment(System.getenv(), this::metricsPage);
        } catch (IOException e) {
            LOG.warning("no metrics port: " + e.getMessage());
        }
        server = new ServerBootstrap()
                .group(loop)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) throws Exception {
                        if (ch.peerCredentials().uid() != uid) {
                            LOG.warning("refused a client of uid " + ch.peerCredentials().uid());
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(MAX_REQUEST, 0, 4, 0, 4),
                                new ClientHandler(Daemon.this, workers));
                    }
                })
                .bind(new DomainSocketAddress(config.socket().toString()))
                .sync()
                .channel();
        loop.scheduleAtFixedRate(this::checkIdle, 1, 1, TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(() -> {
            try {
                workers.execute(directories::closeIdle); // closing a store may take a while
            } catch (RejectedExecutionException stopping) {
                // close() closes them all
            }
        }, 5, 5, TimeUnit.SECONDS);
        LOG.info("serving on " + config.socket());
        if (warmUp) {
            Warmup.startInBackground(this, config.client(), umask);
        }
    }

    /**
     * Opens the store of the cache directory the starting client's environment names, before
     * the socket is bound, so that the first call of a build (a CI job that restored its cache
     * and ran {@code cache --start-daemon}) does not wait for RocksDB. Only a store that exists:
     * starting the daemon creates no cache directory. Bounded: an open that waits for a lock
     * gives up after a few seconds, and any failure leaves the store to the first call.
     */
    private void openStartingStore() {
        try {
            Config c = configs.load(System.getenv(), systemConfig, Path.of("/"));
            Path dir = Path.of(c.cacheDir());
            if (c.disable() || !dir.isAbsolute() || !Files.isDirectory(dir.resolve("db"))) {
                return;
            }
            directories.lease(dir.normalize(), c, umask).close();
        } catch (ConfigException | IOException | RuntimeException e) {
            LOG.fine(() -> "the starting client's cache directory was not opened in advance: " + e);
        }
    }

    /** What the metrics port serves: every open store's counters and the farm's gauges. */
    private String metricsPage() {
        return MetricsText.render(directories.openStores(), shared.farmJobs().snapshot(), shared.farmNodeHealth());
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    String buildVersion() {
        return config.buildVersion();
    }

    /** Loads each call's ccache configuration; parsed files are kept by their stat data. */
    ConfigLoader configs() {
        return configs;
    }

    /** The system-wide ccache.conf ({@code CACHE_SYSTEM_CONFIG} in the daemon's environment overrides it, for tests). */
    Path systemConfig() {
        return systemConfig;
    }

    /** The stores of the cache directories the calls name. */
    CacheDirectories directories() {
        return directories;
    }

    /** The private pipeline that serves {@link Warmup}'s calls while it runs, else null. */
    CompilePipeline warmupPipeline() {
        return warmupPipeline;
    }

    void beginWarmup(CompilePipeline p) {
        warmupPipeline = p;
    }

    void endWarmup() {
        warmupPipeline = null;
    }

    SupervisedProcessRunner runner() {
        return runner;
    }

    Path socket() {
        return config.socket();
    }

    AdminCommand.Context adminContext() {
        return adminContext;
    }

    /** A request starts; {@code ownWarmup} for the {@link Warmup}'s, which are not counted. */
    void requestStarted(boolean ownWarmup) {
        if (!ownWarmup) {
            active.incrementAndGet();
            lastActivity.set(System.nanoTime());
        }
    }

    void requestFinished(boolean ownWarmup) {
        if (!ownWarmup) {
            active.decrementAndGet();
            lastActivity.set(System.nanoTime());
        }
    }

    /** Whether a user's request is in flight, or one started or ended within {@code quietNanos}. */
    boolean userBusy(long quietNanos) {
        return active.get() > 0 || System.nanoTime() - lastActivity.get() < quietNanos;
    }

    /** Stops accepting, lets the reply in flight go out, then exits the process. */
    void stopSoon() {
        loop.schedule(stopped::countDown, 100, TimeUnit.MILLISECONDS);
    }

    private void checkIdle() {
        long idle = System.nanoTime() - lastActivity.get();
        if (active.get() == 0 && idle > config.idleTimeout().toNanos()) {
            LOG.info("idle for " + config.idleTimeout() + ", exiting");
            stopped.countDown();
        }
    }

    private Path pidFile() {
        String name = config.socket().getFileName().toString().replaceFirst("\\.sock$", "") + ".pid";
        return config.socket().resolveSibling(name);
    }

    /** The umask this process creates files with (Java cannot ask for it directly). */
    private static int detectUmask(Path dir) throws IOException {
        Path probe = dir.resolve(".umask-probe-" + ProcessHandle.current().pid());
        try (OutputStream o = Files.newOutputStream(probe)) {
            o.flush();
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(probe);
            int mode = 0;
            for (PosixFilePermission bit : p) {
                mode |= 1 << (8 - bit.ordinal());
            }
            return ~mode & 0666;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Stops accepting, lets running requests finish (bounded), closes the store, then removes the socket. */
    @Override
    public void close() {
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        if (metrics != null) {
            metrics.close();
        }
        shared.finishRemoteWrites(); // a finished write counts into its store: before the stores close
        directories.close();
        shared.close();
        try {
            Files.deleteIfExists(config.socket());
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // best effort: a stale socket is replaced by the next start
        }
    }
}
