package cache.distributor.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@link Health} over a concurrent map from node id to an immutable record of failures.
 * Healthy nodes have no entry; updates replace the record atomically with {@code compute},
 * reads are plain map lookups. Times are compared as differences so that a
 * {@code nanoTime} source that wraps stays correct.
 */
final class BackoffHealth implements Health {

    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Record> records = new ConcurrentHashMap<>();

    BackoffHealth(Duration period, LongSupplier nanoTime) {
        if (period.isNegative()) {
            throw new IllegalArgumentException("backoff period must not be negative: " + period);
        }
        this.periodNanos = period.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public List<Node> healthy(Collection<Node> nodes) {
        long now = nanoTime.getAsLong();
        List<Node> healthy = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            if (!backedOff(records.get(node.id()), now)) {
                healthy.add(node);
            }
        }
        return healthy;
    }

    @Override
    public boolean isBackedOff(Node node) {
        return backedOff(records.get(node.id()), nanoTime.getAsLong());
    }

    @Override
    public void failed(Node node, Failure failure) {
        long now = nanoTime.getAsLong();
        records.merge(node.id(), new Record(failure, 1, now),
                (old, fresh) -> new Record(failure, old.failures() + 1, now));
    }

    @Override
    public void succeeded(Node node) {
        records.remove(node.id());
    }

    @Override
    public Optional<Failure> lastFailure(Node node) {
        Record r = records.get(node.id());
        return r == null ? Optional.empty() : Optional.of(r.last());
    }

    @Override
    public int consecutiveFailures(Node node) {
        Record r = records.get(node.id());
        return r == null ? 0 : r.failures();
    }

    private boolean backedOff(Record r, long now) {
        return r != null && periodNanos > 0 && now - r.failedAtNanos() < periodNanos;
    }

    /** A node's failures since its last success; {@code failedAtNanos} is the latest. */
    private record Record(Failure last, int failures, long failedAtNanos) {}
}
