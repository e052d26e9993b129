package cache.frontend.tier;

import cache.compat.Counter;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tiers asked fastest first. A hit from a slower tier is written back to every faster one, so
 * the next call finds it close by; a new result goes to every tier.
 */
public final class TierChain implements LookupTier {

    private final List<LookupTier> tiers;

    /** @param tiers fastest first; the local store is the first */
    public TierChain(List<LookupTier> tiers) {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("a chain needs a tier");
        }
        this.tiers = List.copyOf(tiers);
    }

    /** {@code first} alone, or {@code first} and {@code others} as a chain. */
    public static LookupTier of(LookupTier first, List<LookupTier> others) {
        if (others.isEmpty()) {
            return first;
        }
        List<LookupTier> all = new java.util.ArrayList<>(others.size() + 1);
        all.add(first);
        all.addAll(others);
        return new TierChain(all);
    }

    @Override
    public Hit find(Digest key, String namespace, Consumer<Counter> counts) {
        for (int i = 0; i < tiers.size(); i++) {
            Hit hit = tiers.get(i).find(key, namespace, counts);
            if (hit != null) {
                for (int j = 0; j < i; j++) {
                    tiers.get(j).backFill(key, hit, namespace, counts);
                }
                return hit;
            }
        }
        return null;
    }

    @Override
    public void put(Digest key, CacheEntry entry, String namespace, Consumer<Counter> counts) {
        for (LookupTier t : tiers) {
            t.put(key, entry, namespace, counts);
        }
    }

    @Override
    public void backFill(Digest key, Hit hit, String namespace, Consumer<Counter> counts) {
        for (LookupTier t : tiers) {
            t.backFill(key, hit, namespace, counts);
        }
    }
}
