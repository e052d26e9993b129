package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.store.CounterStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * The counter increments of one call, written in one atomic batch at its end, so a killed
 * daemon never leaves half a call counted.
 */
final class CallStats {

    static final String UPDATED = "stats_updated_timestamp";

    private final Map<String, Long> deltas = new HashMap<>();
    private final long started;

    /** @param started the call's start, epoch nanoseconds */
    CallStats(long started) {
        this.started = started;
    }

    /** The call's start, epoch nanoseconds: what changed after it is not trusted; its debug files' time stamp. */
    long started() {
        return started;
    }

    void count(Counter c) {
        deltas.merge(c.id(), 1L, Long::sum);
    }

    /** Takes back one {@link #count} of {@code c} (a call whose first verdict changed); nothing if none. */
    void uncount(Counter c) {
        deltas.computeIfPresent(c.id(), (k, n) -> n > 1 ? n - 1 : null);
    }

    boolean counted(Counter c) {
        return deltas.containsKey(c.id());
    }

    /** Each counter name once per increment, sorted: the lines ccache writes to {@code stats_log}. */
    java.util.List<String> names() {
        java.util.List<String> out = new java.util.ArrayList<>();
        new java.util.TreeMap<>(deltas).forEach((name, n) -> {
            for (long i = 0; i < n; i++) {
                out.add(name);
            }
        });
        return out;
    }

    void flush(CounterStore store, Clock clock) {
        if (!deltas.isEmpty()) {
            store.addAll(deltas);
            store.set(UPDATED, clock.instant().getEpochSecond());
        }
    }
}
