package cache.frontend.tier;

import cache.compat.Counter;
import cache.hashing.Digest;
import cache.storage.remote.RemoteStorage;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * One {@code remote_storage} entry as a tier, counted as ccache counts it: a read is a
 * {@code remote_storage_read_hit}/{@code _read_miss} and a {@code remote_storage_hit}/{@code
 * _miss}; a failure a {@code remote_storage_error} or {@code remote_storage_timeout} (then the
 * server is backed off, {@link RemoteStorage}); a poisoned value a miss and a {@code
 * corrupt_entry}.
 *
 * <p>Reads block for up to the storage's timeouts, so they are made on a worker, never on the
 * daemon's event loop ({@code CompilePipeline} sees to that). Writes never delay a reply: they
 * run on {@code writes} and count through the consumer they are given when they finish, after
 * the call's own counters were written. The exception is a call under {@code debug}: as in
 * ccache, its writes are made before it ends (its {@code writes} run them in place), and their
 * failures go to its own log ({@code failures}), whose reader looks for them there.
 */
public final class RemoteTier implements LookupTier {

    private static final Logger LOG = Logger.getLogger(RemoteTier.class.getName());

    private final RemoteStorage storage;
    private final Executor writes;
    private final Consumer<String> failures;

    public RemoteTier(RemoteStorage storage, Executor writes) {
        this(storage, writes, null);
    }

    /** @param failures hears why a write failed (a debugged call's log), or null */
    public RemoteTier(RemoteStorage storage, Executor writes, Consumer<String> failures) {
        this.storage = storage;
        this.writes = writes;
        this.failures = failures;
    }

    @Override
    public Hit find(Digest key, String namespace, Consumer<Counter> counts) {
        RemoteStorage.Read r = storage.get(key);
        switch (r.status()) {
            case HIT -> {
                counts.accept(Counter.REMOTE_STORAGE_READ_HIT);
                return new Hit(r.entry(), Counter.REMOTE_STORAGE_HIT, r.encoded());
            }
            case POISONED -> {
                counts.accept(Counter.CORRUPT_ENTRY);
                counts.accept(Counter.REMOTE_STORAGE_READ_MISS);
                counts.accept(Counter.REMOTE_STORAGE_MISS);
            }
            case MISS -> {
                counts.accept(Counter.REMOTE_STORAGE_READ_MISS);
                counts.accept(Counter.REMOTE_STORAGE_MISS);
            }
            default -> failure(r.status(), counts);
        }
        return null;
    }

    /**
     * Direct mode's manifest under {@code directKey} with the entry stored beside it, or null;
     * counted as ccache counts a manifest read (a read hit or miss, not a {@code
     * remote_storage_hit}/{@code _miss}).
     */
    public StorageTiers.RemoteManifest findManifest(Digest directKey, Consumer<Counter> counts) {
        RemoteStorage.ManifestRead r = storage.getManifest(directKey);
        switch (r.status()) {
            case HIT -> {
                counts.accept(Counter.REMOTE_STORAGE_READ_HIT);
                return new StorageTiers.RemoteManifest(r.manifest(), r.entryKey(), r.entry(), this);
            }
            case MISS, POISONED -> counts.accept(Counter.REMOTE_STORAGE_READ_MISS);
            default -> failure(r.status(), counts);
        }
        return null;
    }

    /**
     * An entry found beside a manifest ({@link #findManifest}), decoded and counted as the read
     * of it that it spared would have been; a damaged one is counted ({@code corrupt_entry}) and
     * thrown, for the caller to read the entry under its own key.
     */
    LookupTier.Hit inlined(Digest key, byte[] encoded, Consumer<Counter> counts) throws CorruptEntryException {
        RemoteStorage.Read r;
        try {
            r = storage.decodeInlined(encoded);
        } catch (CorruptEntryException e) {
            counts.accept(Counter.CORRUPT_ENTRY);
            LOG.warning("remote storage " + storage.name() + ": the entry " + key + " beside its manifest is not intact ("
                    + e.getMessage() + "); read under its own key");
            throw e;
        }
        counts.accept(Counter.REMOTE_STORAGE_READ_HIT);
        return new Hit(r.entry(), Counter.REMOTE_STORAGE_HIT, r.encoded());
    }

    /**
     * Writes a manifest in the background, replacing the stored one, with the entry of {@code
     * entryKey} beside it when {@code entry} is not null ({@code encoded}: its bytes, when known);
     * nothing for read-only storage.
     */
    public void writeManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry, byte[] encoded,
            Consumer<Counter> counts) {
        writeManifest(directKey, manifest, entryKey, entry, encoded, false, counts);
    }

    /** {@link #writeManifest(Digest, byte[], Digest, CacheEntry, byte[], Consumer)}; {@code onlyIfMissing}: {@code reshare}'s. */
    public void writeManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry, byte[] encoded,
            boolean onlyIfMissing, Consumer<Counter> counts) {
        inBackground(() -> storage.putManifest(directKey, manifest, entryKey, entry, encoded, onlyIfMissing, failures),
                () -> "manifest " + directKey, counts);
    }

    /** Writes asynchronously; {@code counts} hears of the write when it is done. */
    @Override
    public void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts) {
        write(key, entry, false, counts);
    }

    /**
     * Writes {@code entry} in the background ({@code onlyIfMissing}: {@code reshare} of a local
     * hit); nothing for read-only storage. A write the queue has no room for is dropped and logged.
     */
    public void write(Digest key, CacheEntry entry, boolean onlyIfMissing, Consumer<Counter> counts) {
        inBackground(() -> storage.put(key, entry, onlyIfMissing, failures), key::toString, counts);
    }

    /**
     * Runs {@code write} on the background writer, counting {@code remote_storage_write} or its
     * failure when it is done; nothing for read-only storage. A write the queue has no room for
     * is dropped and logged ({@code what}: the value, for the log).
     */
    private void inBackground(Supplier<RemoteStorage.Status> write, Supplier<String> what, Consumer<Counter> counts) {
        if (storage.readOnly()) {
            return;
        }
        try {
            writes.execute(() -> {
                RemoteStorage.Status s = write.get();
                if (s == RemoteStorage.Status.WRITTEN) {
                    counts.accept(Counter.REMOTE_STORAGE_WRITE);
                } else {
                    failure(s, counts);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warning("remote storage " + storage.name() + ": too many writes queued; " + what.get() + " not written");
        }
    }

    private static void failure(RemoteStorage.Status s, Consumer<Counter> counts) {
        if (s == RemoteStorage.Status.ERROR) {
            counts.accept(Counter.REMOTE_STORAGE_ERROR);
        } else if (s == RemoteStorage.Status.TIMEOUT) {
            counts.accept(Counter.REMOTE_STORAGE_TIMEOUT);
        }
    }
}
