package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.frontend.tier.LookupTier;
import cache.frontend.tier.StorageTiers;
import cache.hashing.Digest;
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
 * A remote storage read of the entry a manifest found there will most likely give, when no
 * entry was stored beside the manifest (one too large for it): its newest result's, which a
 * match tries first. Started as soon as that key is known (a pass that skips over the
 * decompressed manifest finds it, before the decode proper), it runs while the manifest is
 * decoded and matched (about 1 ms of work together), so that such a remote hit does not pay its
 * two round trips one after the other. When the match gives that key, the call takes the read's
 * answer; otherwise the read is dropped and the call reads what it needs. Its counters are kept
 * aside and counted only by the call that takes the answer: a dropped read is not part of the
 * lookup ccache would have made.
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

    /** The read of {@code key} started on {@code threads}; null when there is no key or no thread. */
    static EarlyRead start(Digest key, StorageTiers tiers, String namespace, ExecutorService threads) {
        if (key == null) {
            return null;
        }
        List<Counter> counts = new CopyOnWriteArrayList<>();
        try {
            return new EarlyRead(key, threads.submit(() -> tiers.findRemoteUnfilled(key, namespace, counts::add)),
                    counts);
        } catch (RejectedExecutionException e) {
            return null; // shutting down: the call reads for itself
        }
    }

    /**
     * The read's answer when it was for {@code entryKey}, its counters counted into {@code
     * into}; null when it read another key (it is dropped) or failed (logged): the caller reads.
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
            LOG.log(Level.WARNING, "reading " + key + " from remote storage failed", e.getCause());
            return null;
        }
    }

    /** Not needed after all (the entry was found locally, or the manifest matched nothing). */
    void drop() {
        read.cancel(false);
    }
}
