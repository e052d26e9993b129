package cache.frontend.tier;

import cache.compat.Counter;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryStore;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The cache directory's own store as a tier. A corrupt entry (its checksum failed; the store
 * has removed it) is a miss, counted as {@code corrupt_entry}.
 */
public final class LocalTier implements LookupTier {

    private static final Logger LOG = Logger.getLogger(LocalTier.class.getName());

    private final EntryStore store;

    public LocalTier(EntryStore store) {
        this.store = store;
    }

    @Override
    public Hit find(Digest key, String namespace, Consumer<Counter> counts) {
        try {
            CacheEntry e = store.get(key);
            counts.accept(e != null ? Counter.LOCAL_STORAGE_READ_HIT : Counter.LOCAL_STORAGE_READ_MISS);
            return e == null ? null : new Hit(e, Counter.LOCAL_STORAGE_HIT);
        } catch (CorruptEntryException e) {
            counts.accept(Counter.CORRUPT_ENTRY);
            counts.accept(Counter.LOCAL_STORAGE_READ_MISS);
            LOG.warning("removed corrupt entry " + key + ": " + e.getMessage());
            return null;
        }
    }

    @Override
    public void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts) {
        store.put(key, entry, namespace);
        counts.accept(Counter.LOCAL_STORAGE_WRITE);
    }

    @Override
    public void backFill(Digest key, Hit hit, String namespace, Consumer<Counter> counts) {
        if (hit.encoded() == null) {
            put(key, hit.entry(), namespace, counts);
            return;
        }
        store.putEncoded(key, hit.encoded(), namespace);
        counts.accept(Counter.LOCAL_STORAGE_WRITE);
    }
}
