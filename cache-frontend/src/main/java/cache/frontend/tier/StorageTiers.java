package cache.frontend.tier;

import cache.compat.Counter;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The tiers of one call: the local store (with any tiers chained to it), then each configured
 * remote storage, with ccache's rules for them ({@code doc/MANUAL.adoc}, "Storage interaction"):
 *
 * <pre>
 *   local miss, remote miss   compile; write local and every writable remote (in the background)
 *   local miss, remote hit    read remote; write local (back-fill)
 *   local hit                 read local; with reshare, also write remote if it lacks the entry
 *                             (and, for a direct hit, its manifest)
 *   remote_only               the local store is neither read nor written
 * </pre>
 *
 * Local and remote lookups are separate so that a caller on an event loop can ask the local
 * store alone and leave the remote ones, which may block, to a worker.
 */
public final class StorageTiers {

    private final LookupTier local;
    private final List<RemoteTier> remotes;
    private final boolean remoteOnly;
    private final boolean reshare;
    private final Consumer<Counter> lateCounts;

    /** @param lateCounts where background writes count, once the call's own counters are written */
    public StorageTiers(LookupTier local, List<RemoteTier> remotes, boolean remoteOnly, boolean reshare,
            Consumer<Counter> lateCounts) {
        this.local = local;
        this.remotes = List.copyOf(remotes);
        this.remoteOnly = remoteOnly;
        this.reshare = reshare;
        this.lateCounts = lateCounts;
    }

    public boolean hasRemote() {
        return !remotes.isEmpty();
    }

    /** The local store's entry (never with {@code remote_only}); reshared when so configured. */
    public LookupTier.Hit findLocal(Digest key, String namespace, Consumer<Counter> counts) {
        if (remoteOnly) {
            return null;
        }
        LookupTier.Hit hit = local.find(key, namespace, counts);
        if (hit != null && reshare) {
            for (RemoteTier r : remotes) {
                r.write(key, hit.entry(), true, lateCounts);
            }
        }
        return hit;
    }

    /** The first remote storage's entry, not back-filled yet ({@link #backFill}). May block: not on an event loop. */
    public LookupTier.Hit findRemoteUnfilled(Digest key, String namespace, Consumer<Counter> counts) {
        for (RemoteTier r : remotes) {
            LookupTier.Hit hit = r.find(key, namespace, counts);
            if (hit != null) {
                return hit;
            }
        }
        return null;
    }

    /**
     * A remote hit's back-fill into the local store (never with {@code remote_only}), returned to
     * be run later (after the reply): counted now as a local miss, as ccache counts it; the write
     * itself counts where background writes count.
     */
    public Runnable backFillLater(Digest key, LookupTier.Hit hit, String namespace, Consumer<Counter> counts) {
        if (remoteOnly) {
            return () -> { };
        }
        // as ccache counts a result the local store lacked (a miss compiled here is counted where it compiles)
        counts.accept(Counter.LOCAL_STORAGE_MISS);
        return () -> local.backFill(key, hit, namespace, lateCounts);
    }

    /** Where writes made after the call's own counters were written count. */
    public Consumer<Counter> lateCounts() {
        return lateCounts;
    }

    /**
     * A manifest found in remote storage and, when one was stored beside it, an entry's key and
     * its bytes, not decoded yet (both null when none).
     */
    public record RemoteManifest(byte[] manifest, Digest entryKey, byte[] entry, RemoteTier from) {

        /**
         * The entry beside the manifest, decoded and counted as a read of it from remote storage;
         * throws, counted, when it is damaged (then it is read under its own key).
         */
        public LookupTier.Hit inlined(Consumer<Counter> counts) throws CorruptEntryException {
            return from.inlined(entryKey, entry, counts);
        }
    }

    /** Direct mode's manifest from the first remote storage that has it, or null. May block. */
    public RemoteManifest findRemoteManifest(Digest directKey, Consumer<Counter> counts) {
        for (RemoteTier r : remotes) {
            RemoteManifest m = r.findManifest(directKey, counts);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /**
     * A manifest updated here, to every writable remote storage in the background, with the entry
     * of {@code entryKey}, the result just recorded into it, beside it (see {@link
     * cache.storage.remote.RemoteStorage#putManifest}); {@code entry} null: none.
     */
    public void putManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry, byte[] encoded) {
        for (RemoteTier r : remotes) {
            r.writeManifest(directKey, manifest, entryKey, entry, encoded, lateCounts);
        }
    }

    /**
     * With {@code reshare}, a local direct hit's manifest (and its entry beside it) to every
     * remote storage that lacks one under {@code directKey}, in the background, as ccache reshares
     * both: another machine then hits in direct mode, not only after a preprocessor run.
     */
    public void reshareManifest(Digest directKey, byte[] manifest, Digest entryKey, CacheEntry entry) {
        if (!reshare || remoteOnly) {
            return;
        }
        for (RemoteTier r : remotes) {
            r.writeManifest(directKey, manifest, entryKey, entry, null, true, lateCounts);
        }
    }

    /**
     * The local store's entry, else the first remote storage's, whose back-fill into the local
     * store goes to {@code later} (run after the reply: the reply waits neither for a local write
     * nor for a new directory's store to open). May block: not on an event loop.
     */
    public LookupTier.Hit find(Digest key, String namespace, Consumer<Counter> counts, Consumer<Runnable> later) {
        LookupTier.Hit hit = findLocal(key, namespace, counts);
        if (hit == null) {
            hit = findRemoteUnfilled(key, namespace, counts);
            if (hit != null) {
                later.accept(backFillLater(key, hit, namespace, counts));
            }
        }
        return hit;
    }

    /** A result built for this call: to the local store now, to remote storage in the background. */
    public void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts) {
        if (!remoteOnly) {
            local.put(key, entry, namespace, counts);
        }
        for (RemoteTier r : remotes) {
            r.write(key, entry, false, lateCounts);
        }
    }
}
