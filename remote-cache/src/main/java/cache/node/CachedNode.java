package cache.node;

import cache.process.DefaultProcessRunner;
import cache.process.ProcessRunner;
import cache.storage.remote.RemoteBackedStore;
import cache.storage.remote.RemoteStorage;
import cache.store.EntryCodec;
import cache.store.EntryStore;
import cache.store.InMemoryEntryStore;
import cache.store.LocalStore;
import cache.store.StoreLimits;
import cache.store.StoreOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A running node: its store, compiler resolver, service, listener and (optionally) stats port,
 * started together and closed in reverse order. {@link CachedMain} runs one; tests start one
 * in-process on a real loopback socket.
 */
public final class CachedNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CachedNode.class.getName());

    private final LocalStore localStore;
    private final NodeService service;
    /** The store with remote storage behind it ({@code --remote-storage}), or null. */
    private RemoteBackedStore remote;
    private NodeServer server;
    private StatsServer statsServer;

    private volatile Thread warmup;

    /**
     * Runs the probe path {@code probes} times on a background thread ({@link NodeWarmup}), so
     * that the first hits clients ask for are answered by compiled code; nothing is stored or
     * counted. {@link #close} stops it first.
     */
    public void warmUp(int probes) {
        Thread t = new Thread(() -> {
            try {
                NodeWarmup.Report r = NodeWarmup.run(service, probes);
                LOG.info("probe path warmed up: " + r.probes() + " probes in " + r.millis() + " ms");
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.FINE, "warm-up stopped", e);
            }
        }, "cached-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        warmup = t;
        t.start();
    }

    private CachedNode(LocalStore localStore, NodeService service) {
        this.localStore = localStore;
        this.service = service;
    }

    public static CachedNode start(NodeConfig config) throws IOException {
        return start(config, new DefaultProcessRunner());
    }

    /** @param runner runs compilers (and their identity probes); tests may pass a fake */
    public static CachedNode start(NodeConfig config, ProcessRunner runner) throws IOException {
        checkWhitelist(config.whitelist());
        if (config.allow().isEmpty()) {
            LOG.warning("no --allow given: accepting loopback clients only (127.0.0.0/8, ::1)");
        }
        // --max-size: least recently used entries are evicted down to 0.8 of it, as ccache does.
        LocalStore local = config.cacheDir() == null ? null : LocalStore.open(config.cacheDir(), EntryCodec.defaults(),
                StoreOptions.defaults().withLimits(new StoreLimits(config.maxSize(), 0, StoreLimits.DEFAULT_LIMIT_MULTIPLE)));
        EntryStore entries = local != null ? local.entries() : new InMemoryEntryStore(EntryCodec.defaults());
        NodeStats stats = new NodeStats();
        RemoteBackedStore remote = null;
        if (!config.remoteStorage().isBlank()) {
            entries = remote = new RemoteBackedStore(entries, config.remoteStorage(), EntryCodec.defaults(),
                    s -> countRemote(stats, s));
        }
        CompilerResolver resolver = new CompilerResolver(config.whitelist(), config.searchPath(), runner);
        CachedNode node = new CachedNode(local, new NodeService(config, entries, local != null, resolver, runner, stats));
        node.remote = remote;
        try {
            node.server = NodeServer.start(config, node.service);
            if (config.stats()) {
                node.statsServer = StatsServer.start(config, stats);
            }
            return node;
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /** distccd refuses to start without a whitelist to check names against; so do we. */
    private static void checkWhitelist(Path whitelist) throws IOException {
        if (whitelist == null) {
            LOG.warning("compiler whitelist disabled (--allow-any-compiler): any compiler name on the PATH runs");
            return;
        }
        if (!Files.isDirectory(whitelist)) {
            throw new IOException("compiler whitelist " + whitelist + " is not a directory (--whitelist)");
        }
        try (Stream<Path> s = Files.list(whitelist)) {
            if (s.findAny().isEmpty()) {
                throw new IOException("compiler whitelist " + whitelist + " is empty: no compiler could run");
            }
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** The stats port's address, or null without {@code --stats}. */
    public InetSocketAddress statsAddress() {
        return statsServer == null ? null : statsServer.address();
    }

    private static void countRemote(NodeStats stats, RemoteStorage.Status s) {
        switch (s) {
            case HIT -> stats.remoteStorage("hit");
            case MISS -> stats.remoteStorage("miss");
            case POISONED -> stats.remoteStorage("corrupt");
            case WRITTEN -> stats.remoteStorage("write");
            case ERROR -> stats.remoteStorage("error");
            case TIMEOUT -> stats.remoteStorage("timeout");
            case SKIPPED -> { }
        }
    }

    public NodeStats stats() {
        return service.stats();
    }

    @Override
    public void close() {
        Thread w = warmup;
        if (w != null) { // it reads the store: stopped before the store closes
            w.interrupt();
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (statsServer != null) {
            statsServer.close();
        }
        if (server != null) {
            server.close();
        }
        service.close();
        if (remote != null) {
            remote.close(); // lets the last writes go out
        }
        if (localStore != null) {
            localStore.close();
        }
    }
}
