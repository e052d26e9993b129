package cache.storage.remote;

import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.EntryStore;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * A store with remote storage behind it, for {@code cached}: a key the local store lacks is
 * asked of each remote storage in turn and a hit is back-filled; what is stored locally is also
 * written to every writable remote storage, in the background. So a farm's nodes share one tier
 * with each other and with whatever else uses the same servers. Reads block for up to the
 * storages' timeouts: callers read from worker threads (the node's lookup pool does).
 */
public final class RemoteBackedStore implements EntryStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RemoteBackedStore.class.getName());

    private final EntryStore local;
    private final List<RemoteStorage> remotes;
    private final RemoteStorages owned;
    private final EntryCodec codec;
    private final Consumer<RemoteStorage.Status> counts;
    private final BackgroundWrites writes = new BackgroundWrites();

    /**
     * @param remoteStorage a {@code remote_storage} value (ccache's grammar)
     * @param counts hears the status of every remote read and write (for the node's statistics)
     */
    public RemoteBackedStore(EntryStore local, String remoteStorage, EntryCodec codec,
            Consumer<RemoteStorage.Status> counts) {
        this.local = local;
        this.owned = new RemoteStorages(codec);
        this.remotes = owned.forValue(remoteStorage);
        this.codec = codec;
        this.counts = counts;
    }

    @Override
    public EntryStore local() {
        return local;
    }

    @Override
    public CacheEntry get(Digest key) throws CorruptEntryException {
        CacheEntry e = local.get(key);
        if (e != null) {
            return e;
        }
        RemoteStorage.Read remote = fromRemote(key);
        if (remote == null) {
            return null;
        }
        local.putEncoded(key, remote.encoded()); // as read (and checked): not compressed again
        return remote.entry();
    }

    @Override
    public byte[] getEncoded(Digest key) {
        byte[] e = local.getEncoded(key);
        if (e != null) {
            return e;
        }
        RemoteStorage.Read remote = fromRemote(key);
        if (remote == null) {
            return null;
        }
        local.putEncoded(key, remote.encoded()); // as read (and checked): not compressed again
        return remote.encoded();
    }

    private RemoteStorage.Read fromRemote(Digest key) {
        for (RemoteStorage r : remotes) {
            RemoteStorage.Read read = r.get(key);
            counts.accept(read.status());
            if (read.status() == RemoteStorage.Status.HIT) {
                return read;
            }
        }
        return null;
    }

    @Override
    public void put(Digest key, CacheEntry entry) {
        putEncoded(key, codec.encode(entry));
    }

    @Override
    public void putEncoded(Digest key, byte[] encoded) {
        local.putEncoded(key, encoded);
        for (RemoteStorage r : remotes) {
            if (r.readOnly()) {
                continue;
            }
            try {
                writes.execute(() -> counts.accept(r.putEncoded(key, encoded, false)));
            } catch (RejectedExecutionException e) {
                LOG.warning("remote storage " + r.name() + ": too many writes queued; " + key + " not written");
            }
        }
    }

    @Override
    public boolean remove(Digest key) {
        return local.remove(key);
    }

    @Override
    public void forEachKey(Consumer<Digest> action) {
        local.forEachKey(action);
    }

    @Override
    public void clear() {
        local.clear();
    }

    @Override
    public long totalBytes() {
        return local.totalBytes();
    }

    @Override
    public long entryCount() {
        return local.entryCount();
    }

    /** Lets queued writes finish (a few seconds at most), then closes the connections; not the local store. */
    @Override
    public void close() {
        writes.close();
        owned.close();
    }
}
