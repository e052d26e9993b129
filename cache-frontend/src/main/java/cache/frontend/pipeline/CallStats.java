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
    /** {@link System#nanoTime()} at the call's start: a file watch drained after it knows every earlier change. */
    private final long startNanos;
    /** Wall-clock phases of the call ({@link #mark}), kept only while {@link #PHASES} logs at FINE. */
    private StringBuilder phases;
    private long phaseStart;

    /** Where {@link #mark}ed phases are logged, at FINE, when the call ends. */
    static final java.util.logging.Logger PHASES = java.util.logging.Logger.getLogger(CallStats.class.getName() + ".phases");

    /** @param started the call's start, epoch nanoseconds */
    CallStats(long started) {
        this(started, System.nanoTime());
    }

    /** @param startNanos {@link System#nanoTime()} when the call's request arrived */
    CallStats(long started, long startNanos) {
        this.started = started;
        this.startNanos = startNanos;
    }

    /** The call's start, epoch nanoseconds: what changed after it is not trusted; its debug files' time stamp. */
    long started() {
        return started;
    }

    /** {@link System#nanoTime()} at the call's start (see {@code FileWatch.session(long)}). */
    long startNanos() {
        return startNanos;
    }

    /**
     * Notes that the call reached {@code phase} now (milliseconds since its first mark, on the
     * monotonic clock, with the thread): a remote hit's time, as the wall clock sees it, by step.
     * Nothing is kept unless {@link #PHASES} logs at FINE.
     */
    void mark(String phase) {
        if (!PHASES.isLoggable(java.util.logging.Level.FINE)) {
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (phases == null) {
                phases = new StringBuilder();
                phaseStart = now;
            }
            phases.append(' ').append(phase).append('=').append(String.format(java.util.Locale.ROOT, "%.2f",
                    (now - phaseStart) / 1e6)).append('@').append(Thread.currentThread().getName());
        }
    }

    /** The marked phases, or null when none were kept. */
    synchronized String phases() {
        return phases == null ? null : phases.toString();
    }

    void count(Counter c) {
        deltas.merge(c.id(), 1L, Long::sum);
    }

    /** Lines for the call's own debug log ({@code debug}), such as a remote write's failure; any thread. */
    private final java.util.List<String> notes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    void note(String line) {
        notes.add(line);
    }

    java.util.List<String> notes() {
        synchronized (notes) {
            return java.util.List.copyOf(notes);
        }
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
