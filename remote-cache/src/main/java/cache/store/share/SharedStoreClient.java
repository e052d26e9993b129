package cache.store.share;

import cache.hashing.Digest;
import cache.store.BlobStore;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.CounterStore;
import cache.store.EntryCodec;
import cache.store.EntryStore;
import cache.store.StoreException;
import cache.store.StoreUsage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A store held by another process, used through its socket ({@link SharedStoreProtocol}): the
 * same {@link EntryStore}, {@link BlobStore} and {@link CounterStore} a local store gives, so a
 * pipeline works on either. Connections are opened on demand and kept for reuse. Any failure
 * (the holder exited, a broken frame) is a {@link StoreException}, after which {@code onFailure}
 * is told, once, so that the owner of this client can drop it and open the store again.
 */
public final class SharedStoreClient implements AutoCloseable {

    /** How often a manifest update is retried when another writer changed it in between. */
    private static final int REPLACE_ATTEMPTS = 200;

    private final Path socket;
    private final EntryCodec codec;
    private final Runnable onFailure;
    private final ConcurrentLinkedDeque<SocketChannel> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    private volatile boolean failed;
    /** A kept connection read end-of-file: the holder closed it. */
    private volatile boolean holderClosed;
    private final Entries entries = new Entries();
    private final Blobs manifests = new Blobs();
    private final Counters counters = new Counters();

    /**
     * Connects once, so that a socket nobody serves is found at once.
     *
     * @throws IOException when nothing answers at {@code socket}
     */
    public SharedStoreClient(Path socket, EntryCodec codec, Runnable onFailure) throws IOException {
        this.socket = socket;
        this.codec = codec;
        this.onFailure = onFailure;
        idle.push(connect());
    }

    public EntryStore entries() {
        return entries;
    }

    public BlobStore manifests() {
        return manifests;
    }

    public CounterStore counters() {
        return counters;
    }

    public StoreUsage usage() {
        Frames.Reader r = call(SharedStoreProtocol.USAGE, new Frames.Writer());
        return new StoreUsage(r.i64(), r.i64(), r.i64(), r.i64());
    }

    /** Removes every entry and manifest ({@code -C}). */
    public void clear() {
        call(SharedStoreProtocol.CLEAR, new Frames.Writer());
    }

    /** Evicts down to the holder's limits ({@code -c}). */
    public void cleanup() {
        call(SharedStoreProtocol.CLEANUP, new Frames.Writer());
    }

    /**
     * Whether the holder has closed its end: a kept connection reads end-of-file. Checked before
     * a call uses the store, so that a holder that stopped costs no call a fallback (the store
     * is opened again instead); a holder killed mid-call still does.
     */
    public boolean holderGone() {
        if (holderClosed || failed) {
            return true;
        }
        SocketChannel ch = idle.poll(); // taken, so that no request uses it meanwhile
        if (ch == null) {
            return false; // all in use: the holder is answering
        }
        boolean gone;
        try {
            ch.configureBlocking(false);
            gone = ch.read(ByteBuffer.allocate(1)) != 0; // end-of-file, or a byte nobody asked for
            ch.configureBlocking(true);
        } catch (IOException | RuntimeException e) {
            gone = true;
        }
        if (gone) {
            holderClosed = true;
            try {
                ch.close();
            } catch (IOException ignored) {
                // it is gone anyway
            }
        } else {
            idle.push(ch);
        }
        return gone;
    }

    private SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** One request and its reply; the reply's body after an OK status, or null for ABSENT. */
    private Frames.Reader call(byte op, Frames.Writer body) {
        byte[] reply = exchange(op, body);
        byte status = reply[0];
        Frames.Reader r = new Frames.Reader(reply);
        r.u8();
        return switch (status) {
            case SharedStoreProtocol.OK -> r;
            case SharedStoreProtocol.ABSENT -> null;
            case SharedStoreProtocol.CONFLICT -> throw new Conflict();
            case SharedStoreProtocol.ERROR -> throw new StoreException("the shared store at " + socket + " failed: "
                    + new String(r.rest(), StandardCharsets.UTF_8), null);
            default -> throw failure(new IOException("unknown reply status " + status));
        };
    }

    private byte[] exchange(byte op, Frames.Writer body) {
        if (closed) {
            throw new StoreException("the shared store client is closed", null);
        }
        SocketChannel ch = idle.poll();
        try {
            if (ch == null) {
                ch = connect();
            }
            ByteBuffer out = ByteBuffer.allocate(5 + body.size());
            out.putInt(1 + body.size()).put(op).put(body.bytes(), 0, body.size()).flip();
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(ch, len);
            int n = len.flip().getInt();
            if (n < 1 || n > SharedStoreProtocol.MAX_FRAME) {
                throw new IOException("bad reply length " + n);
            }
            ByteBuffer reply = ByteBuffer.allocate(n);
            readFully(ch, reply);
            idle.push(ch);
            return reply.array();
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing a broken connection
                }
            }
            throw failure(e);
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the shared store closed the connection");
            }
        }
    }

    private StoreException failure(IOException e) {
        if (!failed) {
            failed = true;
            onFailure.run();
        }
        return new StoreException("the shared store at " + socket + " is not reachable: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        closed = true;
        SocketChannel ch;
        while ((ch = idle.poll()) != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** The value changed between the read and the replace. */
    private static final class Conflict extends RuntimeException {
        Conflict() {
            super(null, null, false, false);
        }
    }

    private final class Entries implements EntryStore {
        @Override
        public CacheEntry get(Digest key) throws CorruptEntryException {
            return codec.decodeStored(this, key, getEncoded(key));
        }

        @Override
        public void put(Digest key, CacheEntry entry) {
            put(key, entry, "");
        }

        @Override
        public void put(Digest key, CacheEntry entry, String namespace) {
            putEncoded(key, codec.encode(entry), namespace);
        }

        @Override
        public boolean remove(Digest key) {
            return call(SharedStoreProtocol.ENTRY_REMOVE, new Frames.Writer().digest(key)).u8() != 0;
        }

        @Override
        public byte[] getEncoded(Digest key) {
            Frames.Reader r = call(SharedStoreProtocol.ENTRY_GET, new Frames.Writer().digest(key));
            return r == null ? null : r.rest();
        }

        @Override
        public void putEncoded(Digest key, byte[] encoded) {
            putEncoded(key, encoded, "");
        }

        @Override
        public void putEncoded(Digest key, byte[] encoded, String namespace) {
            call(SharedStoreProtocol.ENTRY_PUT, new Frames.Writer().digest(key).str(namespace).bytes(encoded));
        }

        @Override
        public void forEachKey(Consumer<Digest> action) {
            Frames.Reader r = call(SharedStoreProtocol.ENTRY_KEYS, new Frames.Writer());
            int n = r.count();
            for (int i = 0; i < n; i++) {
                action.accept(r.digest());
            }
        }

        @Override
        public void clear() {
            SharedStoreClient.this.clear();
        }

        @Override
        public long totalBytes() {
            return usage().entryBytes();
        }

        @Override
        public long entryCount() {
            return usage().entries();
        }
    }

    private final class Blobs implements BlobStore {
        @Override
        public byte[] get(Digest key) {
            Frames.Reader r = call(SharedStoreProtocol.BLOB_GET, new Frames.Writer().digest(key));
            return r == null ? null : r.rest();
        }

        @Override
        public void update(Digest key, UnaryOperator<byte[]> change) {
            update(key, change, "");
        }

        /** Read, change here, replace there if nobody changed it meanwhile; else again. */
        @Override
        public void update(Digest key, UnaryOperator<byte[]> change, String namespace) {
            for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
                byte[] old = get(key);
                byte[] next = change.apply(old);
                if (old == null && next == null) {
                    return;
                }
                try {
                    call(SharedStoreProtocol.BLOB_REPLACE, new Frames.Writer().digest(key).str(namespace).opt(old)
                            .opt(next));
                    return;
                } catch (Conflict c) {
                    // another writer was first: read its value and apply the change to it, after a
                    // pause that grows with the contention
                    if (attempt >= 4) {
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                java.util.concurrent.ThreadLocalRandom.current().nextLong(100_000L << Math.min(attempt - 4, 4)));
                    }
                }
            }
            throw new StoreException("the manifest " + key + " kept changing; update given up", null);
        }

        @Override
        public void clear() {
            SharedStoreClient.this.clear();
        }
    }

    private final class Counters implements CounterStore {
        @Override
        public void add(String name, long delta) {
            addAll(Map.of(name, delta));
        }

        @Override
        public void addAll(Map<String, Long> deltas) {
            Frames.Writer w = new Frames.Writer().u32(deltas.size());
            deltas.forEach((k, v) -> w.str(k).i64(v));
            call(SharedStoreProtocol.COUNTERS_ADD, w);
        }

        @Override
        public void set(String name, long value) {
            call(SharedStoreProtocol.COUNTER_SET, new Frames.Writer().str(name).i64(value));
        }

        @Override
        public Map<String, Long> snapshot() {
            Frames.Reader r = call(SharedStoreProtocol.COUNTERS_GET, new Frames.Writer());
            int n = r.count();
            Map<String, Long> all = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                all.put(r.str(), r.i64());
            }
            return all;
        }
    }
}
