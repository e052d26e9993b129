package cache.frontend.tier;

import cache.compat.Counter;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import java.util.function.Consumer;

/**
 * A place where results are found by key: the local store first, shared storage behind it
 * (ccache's local and remote storage, sccache's levels). A tier never compiles.
 *
 * <p>Neither method throws for a failure of the tier's own storage: a read that fails is a miss,
 * a write that fails is lost; both are counted through {@code counts} and logged by the tier.
 * That keeps every tier out of the way of the build it serves.
 */
public interface LookupTier {

    /** An entry found, and the counter of a hit from this tier ({@code local_storage_hit}, …). */
    record Hit(CacheEntry entry, Counter counter) {}

    /**
     * The entry stored under {@code key}, or null; counts its read hit or miss. {@code namespace}
     * is the call's ({@code namespace} setting), for what a tier writes on the way (back-fills).
     */
    Hit find(Digest key, String namespace, Consumer<Counter> counts);

    /**
     * Stores {@code entry} under {@code key}: a result built for this call, or one found in a
     * slower tier (back-fill). A read-only tier ignores it. Counts its write.
     */
    void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts);
}
