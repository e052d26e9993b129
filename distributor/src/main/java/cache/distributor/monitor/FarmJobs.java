package cache.distributor.monitor;

import cache.distributor.JobListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The farm's jobs in flight, for {@code cache --monitor}, distcc's state files and gauges: one
 * row per job from its probe until it is done, with the node and slot it holds, its file, its
 * phase and when it started.
 *
 * <p>Slots are numbered per node as distcc numbers them: a job that takes a slot on a node gets
 * the lowest number no other job of that node holds, so the numbers stay below the node's limit.
 */
public final class FarmJobs {

    /** distcc's phases, by the names distccmon prints; ours map onto four of them. */
    public enum Phase {
        STARTUP("Startup"), BLOCKED("Blocked"), CONNECT("Connect"), CPP("Preprocess"), SEND("Send"),
        COMPILE("Compile"), RECEIVE("Receive"), DONE("Done");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** The name distccmon-text prints. */
        public String label() {
            return label;
        }

        static Phase of(JobListener.Phase p) {
            return switch (p) {
                case PROBE -> CONNECT;
                case BLOCKED -> BLOCKED;
                case COMPILE -> COMPILE;
                case DONE -> DONE;
            };
        }
    }

    /**
     * One job as a monitor shows it.
     *
     * @param id unique in this daemon
     * @param pid the client process the job is for (0: not known)
     * @param node the node's {@code host:port}, or "" while it has none (waiting for a slot)
     * @param slot its slot on {@code node}, or -1 while it holds none
     */
    public record Row(long id, long pid, String node, int slot, String file, Phase phase, Instant started) {}

    /** Told of every change of a row: distcc's state files follow the table this way. */
    public interface Observer {
        Observer NONE = row -> {};

        /**
         * A row changed; {@link Phase#DONE} is its last change. The table's observer is called
         * under its lock (be quick), a job's own after it.
         */
        void changed(Row row);
    }

    private final Clock clock;
    private final Observer observer;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Row> rows = new HashMap<>();
    private final Map<String, BitSet> slotsInUse = new HashMap<>();

    public FarmJobs(Clock clock, Observer observer) {
        this.clock = clock;
        this.observer = observer;
    }

    public FarmJobs() {
        this(Clock.systemUTC(), Observer.NONE);
    }

    /** A listener that keeps the row of one job of {@code file} for client {@code pid}. */
    public JobListener track(long pid, String file) {
        return track(pid, file, Observer.NONE);
    }

    /** {@link #track(long, String)}, telling {@code job} too of each change of this job's row. */
    public JobListener track(long pid, String file, Observer job) {
        long id = ids.incrementAndGet();
        Instant started = clock.instant();
        return (phase, node) -> {
            Row changed = update(new Row(id, pid, "", -1, file, Phase.of(phase), started), node);
            if (changed != null) {
                job.changed(changed); // outside the lock: it may write a file; one job's calls come in order
            }
        };
    }

    /** The row as changed, or null when nothing changed. */
    private synchronized Row update(Row next, String node) {
        Row before = rows.get(next.id());
        if (before == null && next.phase() == Phase.DONE) {
            return null; // a listener called after its job was done: nothing to show
        }
        if (before != null && before.slot() >= 0) {
            slotsInUse.get(before.node()).clear(before.slot());
        }
        if (next.phase() == Phase.DONE) {
            rows.remove(next.id());
            Row done = new Row(next.id(), next.pid(), before.node(), before.slot(), next.file(), Phase.DONE,
                    next.started());
            observer.changed(done);
            return done;
        }
        Row row = next;
        if (node != null) {
            int slot = -1;
            if (next.phase() == Phase.COMPILE) {
                BitSet used = slotsInUse.computeIfAbsent(node, k -> new BitSet());
                slot = used.nextClearBit(0);
                used.set(slot);
            }
            row = new Row(next.id(), next.pid(), node, slot, next.file(), next.phase(), next.started());
        }
        rows.put(row.id(), row);
        observer.changed(row);
        return row;
    }

    /** The jobs in flight, sorted by node, slot and start (distccmon sorts by host, then slot). */
    public synchronized List<Row> snapshot() {
        List<Row> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparing(Row::node).thenComparingInt(Row::slot).thenComparing(Row::started)
                .thenComparingLong(Row::id));
        return out;
    }

    /** How many jobs hold a slot on each node (nodes with none left out). */
    public synchronized Map<String, Integer> runningPerNode() {
        Map<String, Integer> out = new HashMap<>();
        for (Map.Entry<String, BitSet> e : slotsInUse.entrySet()) {
            if (e.getValue().cardinality() > 0) {
                out.put(e.getKey(), e.getValue().cardinality());
            }
        }
        return out;
    }
}
