package cache.node;

import cache.node.protocol.NodeProtocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's live counters (since start): what the stats port and the STATS request show.
 * Refusals are counted by reason, so "why did my builds not use this node?" has an answer.
 * Gauges ({@code jobs_running}, {@code jobs_queued}, {@code connections_open}) are current values.
 */
public final class NodeStats {

    private final long startMillis = System.currentTimeMillis();
    private final LongAdder connectionsAccepted = new LongAdder();
    private final AtomicLong connectionsOpen = new AtomicLong();
    private final LongAdder probes = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder compilesOk = new LongAdder();
    private final LongAdder compilesFailed = new LongAdder();
    private final LongAdder compileTimeouts = new LongAdder();
    private final LongAdder compilesJoined = new LongAdder();
    private final LongAdder stored = new LongAdder();
    private final LongAdder corruptEntries = new LongAdder();
    private final LongAdder storeFull = new LongAdder();
    private final AtomicLong jobsRunning = new AtomicLong();
    private final AtomicLong jobsQueued = new AtomicLong();
    private final AtomicLong maxJobsRunning = new AtomicLong();
    private final AtomicLong longestJobMillis = new AtomicLong();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    /** {@code remote_storage_<what>}: hit, miss, write, error, timeout, corrupt; only once there is one. */
    private final Map<String, LongAdder> remoteStorage = new ConcurrentHashMap<>();

    public void connectionOpened() {
        connectionsAccepted.increment();
        connectionsOpen.incrementAndGet();
    }

    public void connectionClosed() {
        connectionsOpen.decrementAndGet();
    }

    public void probe(boolean hit) {
        probes.increment();
        (hit ? hits : misses).increment();
    }

    /** A compile request that found its result in the cache after all (a concurrent compile stored it). */
    public void compileHit() {
        hits.increment();
    }

    /** A compile request answered by an identical compile already running (nothing run for it). */
    public void compileJoined() {
        compilesJoined.increment();
    }

    public void jobQueued() {
        jobsQueued.incrementAndGet();
    }

    public void jobStarted() {
        jobsQueued.decrementAndGet();
        maxJobsRunning.accumulateAndGet(jobsRunning.incrementAndGet(), Math::max);
    }

    public void jobFinished(long millis, boolean ok, boolean timedOut) {
        jobsRunning.decrementAndGet();
        longestJobMillis.accumulateAndGet(millis, Math::max);
        if (timedOut) {
            compileTimeouts.increment();
        } else if (ok) {
            compilesOk.increment();
        } else {
            compilesFailed.increment();
        }
    }

    /** A queued job that never ran (its connection went away, the node stopped). */
    public void jobDropped() {
        jobsQueued.decrementAndGet();
    }

    public void stored() {
        stored.increment();
    }

    /** A result not stored because the store is at its size limit. */
    public void storeFull() {
        storeFull.increment();
    }

    public void corruptEntry() {
        corruptEntries.increment();
    }

    public void refused(ErrorCode code) {
        refused(code.label());
    }

    /** A refusal by reason: error code labels, plus connection-level ones ("not_allowed", "idle", …). */
    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A read or write of remote storage ({@code --remote-storage}) and what it came to. */
    public void remoteStorage(String what) {
        remoteStorage.computeIfAbsent(what, r -> new LongAdder()).increment();
    }

    public void bytesIn(long n) {
        bytesIn.add(n);
    }

    public void bytesOut(long n) {
        bytesOut.add(n);
    }

    public long jobsRunning() {
        return jobsRunning.get();
    }

    public long refusals(String reason) {
        LongAdder a = refusals.get(reason);
        return a == null ? 0 : a.sum();
    }

    /** Every counter by name, in a stable order; refusals as {@code refused_<reason>}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("uptime_seconds", (System.currentTimeMillis() - startMillis) / 1000);
        m.put("connections_accepted", connectionsAccepted.sum());
        m.put("connections_open", connectionsOpen.get());
        m.put("jobs_running", jobsRunning.get());
        m.put("jobs_queued", jobsQueued.get());
        m.put("max_jobs_running", maxJobsRunning.get());
        m.put("probes", probes.sum());
        m.put("node_hits", hits.sum());
        m.put("node_misses", misses.sum());
        m.put("compiles_ok", compilesOk.sum());
        m.put("compiles_failed", compilesFailed.sum());
        m.put("compile_timeouts", compileTimeouts.sum());
        m.put("compiles_joined", compilesJoined.sum());
        m.put("entries_stored", stored.sum());
        m.put("corrupt_entries", corruptEntries.sum());
        m.put("not_stored_full", storeFull.sum());
        m.put("longest_job_msecs", longestJobMillis.get());
        m.put("bytes_in", bytesIn.sum());
        m.put("bytes_out", bytesOut.sum());
        new TreeMap<>(remoteStorage).forEach((k, v) -> m.put("remote_storage_" + k, v.sum()));
        long total = 0;
        Map<String, Long> sorted = new TreeMap<>();
        refusals.forEach((k, v) -> sorted.put(k, v.sum()));
        for (Map.Entry<String, Long> e : sorted.entrySet()) {
            m.put("refused_" + e.getKey(), e.getValue());
            total += e.getValue();
        }
        m.put("refused_total", total);
        return m;
    }
}
