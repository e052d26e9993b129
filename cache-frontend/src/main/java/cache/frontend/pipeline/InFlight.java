package cache.frontend.pipeline;

import cache.hashing.Digest;
import cache.store.CacheEntry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Compiles under way, by key. The first caller of a key compiles; later callers with the same
 * key wait for its entry instead of compiling the same thing again. A compile that produced
 * nothing storable completes with {@code null} and each waiter then compiles for itself.
 *
 * <p>A caller whose lookup missed just before a compile of its key stored the entry, and who
 * joins just after that compile finished, finds no compile to wait for. So the keys whose
 * compile stored an entry lately are remembered (keys only, {@link #RECENT} of them for
 * {@link #RECENT_FOR}), and such a caller's ticket says so ({@link Ticket#afterAnother}): it
 * reads the store again before it compiles. Other callers pay nothing for it.
 */
final class InFlight {

    static final int RECENT = 4096;
    static final Duration RECENT_FOR = Duration.ofMinutes(1);

    private final ConcurrentMap<Digest, CompletableFuture<CacheEntry>> running = new ConcurrentHashMap<>();
    private final Cache<Digest, Boolean> stored = Caffeine.newBuilder().maximumSize(RECENT)
            .expireAfterWrite(RECENT_FOR).build();

    /**
     * A ticket: {@link #owner()} true means "you compile, then {@link #finish}"; {@code
     * afterAnother}, that a compile of this key stored an entry lately (look again first).
     */
    record Ticket(boolean owner, CompletableFuture<CacheEntry> future, boolean afterAnother) {}

    Ticket join(Digest key) {
        CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
        CompletableFuture<CacheEntry> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            return new Ticket(false, theirs, false);
        }
        return new Ticket(true, mine, stored.getIfPresent(key) != null);
    }

    void finish(Digest key, Ticket ticket, CacheEntry entry) {
        if (entry != null) {
            stored.put(key, Boolean.TRUE); // before the removal: whoever then finds no compile sees it
        }
        running.remove(key, ticket.future());
        ticket.future().complete(entry);
    }
}
