package cache.frontend.pipeline;

import cache.hashing.Digest;
import cache.store.CacheEntry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Compiles under way, by key. The first caller of a key compiles; later callers with the same
 * key wait for its entry instead of compiling the same thing again. A compile that produced
 * nothing storable completes with {@code null} and each waiter then compiles for itself.
 */
final class InFlight {

    private final ConcurrentMap<Digest, CompletableFuture<CacheEntry>> running = new ConcurrentHashMap<>();

    /** A ticket: {@link #owner()} true means "you compile, then {@link #finish}". */
    record Ticket(boolean owner, CompletableFuture<CacheEntry> future) {}

    Ticket join(Digest key) {
        CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
        CompletableFuture<CacheEntry> theirs = running.putIfAbsent(key, mine);
        return theirs == null ? new Ticket(true, mine) : new Ticket(false, theirs);
    }

    void finish(Digest key, Ticket ticket, CacheEntry entry) {
        running.remove(key, ticket.future());
        ticket.future().complete(entry);
    }
}
