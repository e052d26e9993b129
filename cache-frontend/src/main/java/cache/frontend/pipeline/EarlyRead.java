package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.frontend.tier.LookupTier;
import cache.hashing.Digest;
import cache.store.CorruptEntryException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The entry a manifest found in remote storage will most likely give, made ready on another
 * thread while the manifest is decoded and matched (0.5–1 ms of work together): the decode of
 * the entry stored beside the manifest (the result it was written for), or, without one (an
 * entry too large for it), the remote storage read of its newest result's entry, started as
 * soon as that key is known (a pass that skips over the decompressed manifest finds it, before
 * the decode proper). When the match gives that key, the call takes the answer; otherwise it is
 * dropped and the call reads what it needs. Its counters are kept aside and counted only by the
 * call that takes the answer: a dropped read is not part of the lookup ccache would have made.
 */
final class EarlyRead {

    private static final Logger LOG = Logger.getLogger(EarlyRead.class.getName());

    /** The read's answer: the entry's hit, or null when remote storage had none (a miss, counted). */
    record Answer(LookupTier.Hit hit) {}

    private final Digest key;
    private final Future<LookupTier.Hit> read;
    private final List<Counter> counts;

    private EarlyRead(Digest key, Future<LookupTier.Hit> read, List<Counter> counts) {
        this.key = key;
        this.read = read;
        this.counts = counts;
    }

    /** How the entry is had, its counters given to {@code counts}. */
    @FunctionalInterface
    interface Read {
        /**
         * The entry, or null when remote storage has none (a miss, counted); a {@link
         * CorruptEntryException} when the entry beside a manifest is damaged (counted and logged:
         * the call reads it under its own key).
         */
        LookupTier.Hit read(Consumer<Counter> counts) throws CorruptEntryException;
    }

    /** {@code read} of {@code key} started on {@code threads}; null when there is no key or no thread. */
    static EarlyRead start(Digest key, Read read, ExecutorService threads) {
        if (key == null) {
            return null;
        }
        List<Counter> counts = new CopyOnWriteArrayList<>();
        try {
            return new EarlyRead(key, threads.submit(() -> read.read(counts::add)), counts);
        } catch (RejectedExecutionException e) {
            return null; // shutting down: the call reads for itself
        }
    }

    /**
     * The read's answer when it was for {@code entryKey}, its counters counted into {@code
     * into}; null when it read another key (it is dropped) or failed (logged, and a damaged entry
     * counted): the caller reads.
     */
    Answer answerFor(Digest entryKey, Consumer<Counter> into) throws InterruptedException {
        if (!key.equals(entryKey)) {
            read.cancel(false);
            return null;
        }
        try {
            LookupTier.Hit hit = read.get();
            counts.forEach(into);
            return new Answer(hit);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CorruptEntryException) {
                counts.forEach(into); // its corrupt_entry; logged where it was found
            } else {
                LOG.log(Level.WARNING, "reading " + key + " from remote storage failed", e.getCause());
            }
            return null;
        }
    }

    /** Not needed after all (the entry was found locally, or the manifest matched nothing). */
    void drop() {
        read.cancel(false);
    }
}
