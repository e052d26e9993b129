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

    /**
     * An entry found, the counter of a hit from this tier ({@code local_storage_hit}, …) and, when
     * the tier read it so, the entry as {@link cache.store.EntryCodec} encoded it (else null).
     */
    record Hit(CacheEntry entry, Counter counter, byte[] encoded) {
        public Hit(CacheEntry entry, Counter counter) {
            this(entry, counter, null);
        }
    }

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

    /**
     * {@link #put} of a hit from a slower tier (a back-fill). A tier that stores encoded entries
     * takes the hit's encoded bytes as they are, when it has them, rather than compressing the
     * entry again on the way to the reply.
     */
    default void backFill(Digest key, Hit hit, String namespace, Consumer<Counter> counts) {
        put(key, hit.entry(), namespace, counts);
    }
}
