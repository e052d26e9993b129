package cache.store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counters whose updates are gathered in memory and written to RocksDB in one batch a short
 * while later, instead of one write per compile on the reply path (a hit is a few hundred
 * microseconds; a RocksDB write is tens of them).
 *
 * <p>Reads ({@link #snapshot()}) write what is pending first, so every reader sees every update
 * that returned. Updates keep their order: a {@link #set} (the {@code -z} of the statistics)
 * replaces earlier pending additions to that counter and later additions go on top. Each
 * {@link #addAll} lands in one flush, whole, so a killed process loses the last few calls'
 * counts (at most {@code delayMillis} of them) and never half of one.
 */
final class CoalescingCounterStore implements CounterStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CoalescingCounterStore.class.getName());

    /** What is pending for one counter: a value it was set to (or null), plus additions since. */
    private static final class Pending {
        Long set;
        long delta;
    }

    private final RocksCounterStore target;
    private final long delayMillis;
    private final ScheduledExecutorService flusher;
    private final Object writing = new Object();
    private Map<String, Pending> pending = new HashMap<>();
    private boolean scheduled;
    private boolean closed;

    CoalescingCounterStore(RocksCounterStore target, long delayMillis) {
        this.target = target;
        this.delayMillis = delayMillis;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "counter-flush");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void add(String name, long delta) {
        addAll(Map.of(name, delta));
    }

    @Override
    public void addAll(Map<String, Long> deltas) {
        boolean now;
        synchronized (this) {
            for (Map.Entry<String, Long> d : deltas.entrySet()) {
                pending.computeIfAbsent(d.getKey(), k -> new Pending()).delta += d.getValue();
            }
            now = schedule();
        }
        if (now) {
            flush();
        }
    }

    @Override
    public void set(String name, long value) {
        boolean now;
        synchronized (this) {
            Pending p = pending.computeIfAbsent(name, k -> new Pending());
            p.set = value;
            p.delta = 0;
            now = schedule();
        }
        if (now) {
            flush();
        }
    }

    @Override
    public Map<String, Long> snapshot() {
        flush();
        return target.snapshot();
    }

    /**
     * Writes everything pending in one batch. The swap is under this object's lock, which
     * updates take; the write is under {@link #writing} only, so a call adding its counts never
     * waits for RocksDB, while a reader that flushes waits for a write in progress and then
     * finds everything in RocksDB.
     */
    void flush() {
        synchronized (writing) {
            Map<String, Pending> batch;
            synchronized (this) {
                if (pending.isEmpty()) {
                    return;
                }
                batch = pending;
                pending = new HashMap<>();
            }
            Map<String, Long> adds = new HashMap<>();
            Map<String, Long> sets = new HashMap<>();
            batch.forEach((name, p) -> {
                if (p.set != null) {
                    sets.put(name, p.set + p.delta);
                } else if (p.delta != 0) {
                    adds.put(name, p.delta);
                }
            });
            target.update(adds, sets);
        }
    }

    /** Arms the timer; true when closed (then the caller writes at once). */
    private boolean schedule() {
        if (closed) {
            return true;
        }
        if (!scheduled) {
            scheduled = true;
            flusher.schedule(this::timed, delayMillis, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    private void timed() {
        synchronized (this) {
            scheduled = false;
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not write statistics", e);
        }
    }

    /** Writes what is pending; later updates are written at once. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        flusher.shutdownNow();
        flush();
    }
}
