package cache.storage.remote;

import cache.compat.config.ConfigException;
import cache.compat.config.RemoteStorageUrl;
import cache.hashing.Digest;
import cache.hashing.Hashing;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * One entry of {@code remote_storage}: its servers (one, or one per shard, the key's shard
 * chosen by weighted rendezvous hashing exactly as ccache 4.7.5's {@code get_shard_url}), each
 * opened on first use.
 *
 * <p>A server that fails (an error or a timeout) costs the caller that one failure, which is
 * reported for counting; then it is left alone for {@link #BACKOFF} (ccache, a process per
 * compile, leaves it alone for the rest of the compile; a daemon has to try again some time).
 * A value that is not an intact entry (bad checksum, wrong size, cut short, not ours) is a
 * miss, reported as {@link Status#POISONED}. Nothing here throws for a failure of a server.
 */
public final class RemoteStorage implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RemoteStorage.class.getName());

    /** How long a failed server is left alone. */
    public static final Duration BACKOFF = Duration.ofSeconds(60);

    /** What a read or a write came to. */
    public enum Status {
        HIT, MISS, POISONED,
        /** written (or, for a write only if missing, already there) */
        WRITTEN,
        /** not asked: a write to read-only storage, or a server backed off after a failure */
        SKIPPED,
        ERROR, TIMEOUT
    }

    /**
     * A read's status and, for a hit, the entry and its bytes as the codec encoded them (checked:
     * a store may keep them as they are instead of encoding the entry again).
     */
    public record Read(Status status, CacheEntry entry, byte[] encoded) {}

    /** A value's read: its status and, for a hit, what its checks made of it. */
    private record Got<T>(Status status, T value) {}

    /**
     * A manifest's read ({@link ManifestBundle}): its status and, for a hit, the manifest as it
     * was written and, when one was stored beside it, an entry's key and its encoded bytes, not
     * decoded yet ({@link #decodeInlined}).
     */
    public record ManifestRead(Status status, byte[] manifest, Digest entryKey, byte[] entry) {}

    /**
     * The largest encoded entry stored beside its manifest ({@link ManifestBundle}): beyond it
     * the second round trip is small beside the transfer, and a manifest's value stays under the
     * 1 MiB an HTTP server takes by default (nginx's {@code client_max_body_size}).
     */
    public static final int INLINE_LIMIT = 512 * 1024;

    /**
     * Where the manifest of direct key {@code key} lives: beside the entries, under a name of its
     * own (a hash of the key, so still hex digits, as Bazel's layout needs), never taken for an
     * entry's. The name changed with the value's layout (session 18: "manifest2", before it
     * "blob"): a daemon never reads a manifest written in a layout it does not know.
     */
    static String manifestName(Digest key) {
        byte[] b = ("manifest2:" + key.hex()).getBytes(StandardCharsets.UTF_8);
        return Hashing.xxh3_128(b, 0, b.length).hex();
    }

    private final RemoteStorageUrl url;
    private final EntryCodec codec;
    private final Function<URI, RemoteBackend> backends;
    private final LongSupplier nanoTime;
    private final long backoffNanos;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();
    /**
     * Entries encoded lately, by identity: a miss's result is written twice, under its own key
     * and beside its manifest, from two background writes, and compressed once for both. Bounded
     * by bytes (an entry may be tens of megabytes); an entry no call holds any more goes at the
     * next collection.
     */
    private final Cache<CacheEntry, byte[]> encodings = Caffeine.newBuilder().weakKeys()
            .maximumWeight(32L << 20).weigher((CacheEntry e, byte[] encoded) -> encoded.length).build();

    /** One server of the entry and when it may be asked again. */
    private static final class Server {
        /** The name replacing {@code *}; "" when not sharded. */
        final String shard;
        final String forLogging;
        RemoteBackend backend;
        volatile long retryAt;
        volatile boolean failing;

        Server(String shard, String forLogging) {
            this.shard = shard;
            this.forLogging = forLogging;
        }
    }

    RemoteStorage(RemoteStorageUrl url, EntryCodec codec, Function<URI, RemoteBackend> backends, LongSupplier nanoTime,
            Duration backoff) {
        this.url = url;
        this.codec = codec;
        this.backends = backends;
        this.nanoTime = nanoTime;
        this.backoffNanos = backoff.toNanos();
    }

    /** The storage of {@code url} over the real servers. */
    public static RemoteStorage open(RemoteStorageUrl url, EntryCodec codec) {
        return open(url, codec, BACKOFF);
    }

    /** The storage of {@code url} over the real servers, a failed server left alone for {@code backoff}. */
    public static RemoteStorage open(RemoteStorageUrl url, EntryCodec codec, Duration backoff) {
        return new RemoteStorage(url, codec, u -> backend(url, u), System::nanoTime, backoff);
    }

    /** The backend of {@code u}, one server of {@code url} ({@code *} expanded). */
    static RemoteBackend backend(RemoteStorageUrl url, URI u) {
        Duration connect = Duration.ofMillis(url.connectTimeoutMs());
        Duration operation = Duration.ofMillis(url.operationTimeoutMs());
        return switch (url.scheme()) {
            case "file" -> new FileBackend(Path.of(u.getPath()), !"flat".equals(url.attribute("layout")),
                    url.attribute("umask") == null ? -1 : Integer.parseInt(url.attribute("umask"), 8),
                    "true".equals(url.attribute("update-mtime")));
            case "http", "https" -> new HttpBackend(u, switch (String.valueOf(url.attribute("layout"))) {
                case "flat" -> HttpBackend.Layout.FLAT;
                case "bazel" -> HttpBackend.Layout.BAZEL;
                default -> HttpBackend.Layout.SUBDIRS;
            }, connect, operation, url.attribute("bearer-token"), url.attribute("header"));
            case "redis" -> new RedisBackend(RedisTarget.of(u), RemoteStorageUrl.redact(u.toString()), connect,
                    operation);
            case "redis+unix" -> new RedisSocketBackend(RedisTarget.of(u), RemoteStorageUrl.redact(u.toString()),
                    connect, operation);
            default -> throw new IllegalArgumentException("no backend for " + url.scheme());
        };
    }

    /** The URL for logs and {@code -p}: no credentials. */
    public String name() {
        return url.forLogging();
    }

    public boolean readOnly() {
        return url.readOnly();
    }

    List<RemoteStorageUrl.Shard> shardsForTest() {
        return url.shards();
    }

    /** The entry under {@code key}, a miss, or what went wrong. */
    public Read get(Digest key) {
        // The entry's own checksum (EntryCodec) covers every byte of the frame's body: checking
        // the frame's as well would hash the value twice on a remote hit's critical path.
        Got<byte[]> framed = read(key, key.hex(), RemoteFrame::unwrap);
        if (framed.status() != Status.HIT) {
            return new Read(framed.status(), null, null);
        }
        try {
            return new Read(Status.HIT, codec.decode(framed.value()), framed.value());
        } catch (CorruptEntryException e) {
            LOG.warning("remote storage " + name() + ": the value under " + key + " is not an intact entry ("
                    + e.getMessage() + "); taken as a miss");
            return new Read(Status.POISONED, null, null);
        }
    }

    /**
     * Direct mode's manifest under {@code directKey} (checked: a damaged one is {@link
     * Status#POISONED}), with the entry stored beside it, if any.
     */
    public ManifestRead getManifest(Digest directKey) {
        Got<ManifestBundle.Parts> r = read(directKey, manifestName(directKey), ManifestBundle::decode);
        ManifestBundle.Parts p = r.value();
        return p == null ? new ManifestRead(r.status(), null, null, null)
                : new ManifestRead(Status.HIT, p.manifest(), p.entryKey(), p.entry());
    }

    /**
     * The entry {@link #getManifest} found beside a manifest, decoded; throws when it is not an
     * intact entry (the caller reads it under its own key instead).
     */
    public Read decodeInlined(byte[] encoded) throws CorruptEntryException {
        return new Read(Status.HIT, codec.decode(encoded), encoded);
    }

    /**
     * Stores {@code manifest} under {@code directKey}, replacing any, and beside it the entry of
     * {@code entryKey} when {@code entry} is not null and encodes to at most {@link
     * #INLINE_LIMIT} bytes: {@code encoded} when the caller has the entry's bytes (a hit), else
     * encoded here (once for this and for {@link #put} of the same entry).
     */
    public Status putManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry,
            byte[] encoded) {
        return putManifest(directKey, manifest, entryKey, entry, encoded, false);
    }

    /** {@link #putManifest(Digest, byte[], Digest, CacheEntry, byte[])}; {@code onlyIfMissing}: {@code reshare}'s. */
    public Status putManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry,
            byte[] encoded, boolean onlyIfMissing) {
        return putManifest(directKey, manifest, entryKey, entry, encoded, onlyIfMissing, null);
    }

    /**
     * {@link #putManifest(Digest, byte[], Digest, CacheEntry, byte[], boolean)}; {@code failures}
     * (when not null) also hears why a write failed, as the daemon's log does (a debugged call's own log).
     */
    public Status putManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry,
            byte[] encoded, boolean onlyIfMissing, Consumer<String> failures) {
        if (url.readOnly()) {
            return Status.SKIPPED;
        }
        byte[] bytes = encoded != null ? encoded : entry == null ? null : encoded(entry);
        boolean inline = bytes != null && bytes.length <= INLINE_LIMIT;
        return write(directKey, manifestName(directKey),
                ManifestBundle.encode(manifest, inline ? entryKey : null, inline ? bytes : null), onlyIfMissing,
                failures);
    }

    /** What {@link #warm} asks for: a name no value has (a hash, hex like every other name). */
    private static final String PROBE = probeName();

    private static String probeName() {
        byte[] b = "cache: connection warm-up".getBytes(StandardCharsets.UTF_8);
        return Hashing.xxh3_128(b, 0, b.length).hex();
    }

    /**
     * Opens every server of this entry and asks each for a value no one stores, {@code
     * connections} times at once: the client library's classes loaded, and (as far as the asks
     * overlap) that many pooled connections made (TCP, authentication, database selected),
     * before a build's first calls need them. Nothing is counted and no server is backed off:
     * a server that fails here is asked as usual by the first call. How many servers answered
     * every ask.
     */
    public int warm(int connections) {
        List<String> shards = url.shards().isEmpty() ? List.of("")
                : url.shards().stream().map(RemoteStorageUrl.Shard::name).toList();
        int answered = 0;
        for (String shard : shards) {
            Server s = servers.computeIfAbsent(shard, n -> new Server(n, name(n)));
            List<CompletableFuture<Boolean>> probes = new ArrayList<>();
            for (int i = Math.max(1, connections) - 1; i >= 0; i--) { // the others at once, the last one here
                probes.add(CompletableFuture.supplyAsync(() -> probe(s),
                        i == 0 ? Runnable::run : RemoteStorage::onItsOwnThread));
            }
            if (probes.stream().allMatch(CompletableFuture::join)) {
                answered++;
            }
        }
        return answered;
    }

    private static void onItsOwnThread(Runnable r) {
        Thread t = new Thread(r, "remote-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private boolean probe(Server s) {
        try {
            backend(s).get(PROBE);
            return true;
        } catch (BackendException | RuntimeException e) {
            LOG.fine(() -> "remote storage " + s.forLogging + ": the warm-up's probe failed: " + e.getMessage());
            return false;
        }
    }

    /** How a value read is checked and taken apart. */
    @FunctionalInterface
    private interface Unwrap<T> {
        T apply(byte[] value) throws RemoteFrame.PoisonedException;
    }

    /** The value under {@code name} on {@code key}'s server, checked and taken apart by {@code unwrap}. */
    private <T> Got<T> read(Digest key, String name, Unwrap<T> unwrap) {
        Server s = server(key);
        if (s == null) {
            return new Got<>(Status.SKIPPED, null);
        }
        byte[] value;
        try {
            value = backend(s).get(name);
        } catch (BackendException e) {
            return new Got<>(failed(s, e), null);
        }
        s.failing = false;
        if (value == null) {
            return new Got<>(Status.MISS, null);
        }
        try {
            return new Got<>(Status.HIT, unwrap.apply(value));
        } catch (RemoteFrame.PoisonedException e) {
            LOG.warning("remote storage " + s.forLogging + ": the value under " + name + " is not intact ("
                    + e.getMessage() + "); taken as a miss");
            return new Got<>(Status.POISONED, null);
        }
    }

    /** Stores {@code entry} under {@code key}; with {@code onlyIfMissing}, only when absent (reshare). */
    public Status put(Digest key, CacheEntry entry, boolean onlyIfMissing) {
        return put(key, entry, onlyIfMissing, null);
    }

    /** {@link #put(Digest, CacheEntry, boolean)}; {@code failures} (when not null) also hears why a write failed. */
    public Status put(Digest key, CacheEntry entry, boolean onlyIfMissing, Consumer<String> failures) {
        return url.readOnly() ? Status.SKIPPED
                : write(key, key.hex(), RemoteFrame.wrap(encoded(entry)), onlyIfMissing, failures);
    }

    /** {@link #put} of an entry already encoded by the codec (a store's value as it is). */
    public Status putEncoded(Digest key, byte[] encoded, boolean onlyIfMissing) {
        return write(key, key.hex(), RemoteFrame.wrap(encoded), onlyIfMissing, null);
    }

    private Status write(Digest key, String name, byte[] value, boolean onlyIfMissing, Consumer<String> failures) {
        if (url.readOnly()) {
            return Status.SKIPPED;
        }
        Server s = server(key);
        if (s == null) {
            return Status.SKIPPED;
        }
        try {
            backend(s).put(name, value, onlyIfMissing);
            s.failing = false;
            return Status.WRITTEN;
        } catch (BackendException e) {
            Status status = failed(s, e);
            if (failures != null && status != Status.SKIPPED) {
                failures.accept("Failed to put " + name + " to remote storage " + s.forLogging + ": " + e.getMessage());
            }
            return status;
        }
    }

    /** {@code entry} as the codec encodes it, encoded once however many writes ask. */
    private byte[] encoded(CacheEntry entry) {
        return encodings.get(entry, codec::encode);
    }

    /** The server of {@code key}, or null while it is backed off. */
    private Server server(Digest key) {
        String shard = url.shards().isEmpty() ? "" : shard(key, url.shards());
        Server s = servers.computeIfAbsent(shard, n -> new Server(n, name(n)));
        return s.failing && nanoTime.getAsLong() - s.retryAt < 0 ? null : s;
    }

    private String name(String shard) {
        return shard.isEmpty() ? url.forLogging() : url.forLogging().replaceFirst("\\*", shard);
    }

    private RemoteBackend backend(Server s) throws BackendException {
        synchronized (s) {
            if (s.backend == null) {
                try {
                    s.backend = backends.apply(url.uri(s.shard));
                } catch (ConfigException | RuntimeException e) {
                    throw new BackendException("cannot open " + s.forLogging + ": " + e.getMessage(), false, e);
                }
            }
            return s.backend;
        }
    }

    private Status failed(Server s, BackendException e) {
        if (Thread.currentThread().isInterrupted()) {
            return Status.SKIPPED; // the caller left: nothing is wrong with the server
        }
        s.retryAt = nanoTime.getAsLong() + backoffNanos;
        s.failing = true;
        LOG.warning("remote storage " + s.forLogging + (e.timeout() ? " timed out: " : " failed: ") + e.getMessage()
                + "; not asked again for " + backoffNanos / 1_000_000L + " ms");
        return e.timeout() ? Status.TIMEOUT : Status.ERROR;
    }

    /**
     * ccache's weighted rendezvous hashing: for each shard, XXH3-64 of the key's bytes followed
     * by the shard's name, taken as a fraction in [0, 1), scored {@code weight / -ln(fraction)};
     * the highest score wins, the first of equal ones.
     */
    static String shard(Digest key, List<RemoteStorageUrl.Shard> shards) {
        double best = -1.0;
        String chosen = null;
        byte[] k = key.toBytes();
        for (RemoteStorageUrl.Shard s : shards) {
            byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
            byte[] in = ByteBuffer.allocate(k.length + name.length).put(k).put(name).array();
            long h = Hashing.xxh3_64(in, 0, in.length);
            double score = (double) (h & ((1L << 53) - 1)) / (1L << 53);
            double weighted = score == 0.0 ? 0.0 : s.weight() / -Math.log(score);
            if (weighted > best) {
                best = weighted;
                chosen = s.name();
            }
        }
        return chosen;
    }

    @Override
    public void close() {
        for (Server s : servers.values()) {
            synchronized (s) {
                if (s.backend != null) {
                    s.backend.close();
                }
            }
        }
    }
}
