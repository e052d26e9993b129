package cache.distributor.route;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Which nodes may be given work now: a node that failed is backed off for a fixed period.
 *
 * <p>Contract (distcc's, with its default of 60 s from {@code DISTCC_BACKOFF_PERIOD}):
 * <ul>
 *   <li>A node is healthy until a {@link #failed failure} is reported; it is then skipped for
 *       the backoff period, counted from the latest failure.</li>
 *   <li>When the period has passed, the node is healthy again and gets real work as its
 *       probe; one more failure backs it off again, a {@link #succeeded success} clears its
 *       record.</li>
 *   <li>A period of zero disables backoff: failures are recorded but never exclude a node.</li>
 *   <li>Nodes are known by {@link Node#id() id}, so a changed weight keeps the record.</li>
 *   <li>Thread-safe; reads do not block.</li>
 * </ul>
 */
public interface Health {

    /** distcc's default backoff period. */
    Duration DEFAULT_BACKOFF = Duration.ofSeconds(60);

    /**
     * Health that backs a failed node off for {@code period}, reading time from
     * {@code nanoTime} (a {@link System#nanoTime()}-like source: only differences matter).
     *
     * @throws IllegalArgumentException if the period is negative
     */
    static Health withBackoff(Duration period, LongSupplier nanoTime) {
        return new BackoffHealth(period, nanoTime);
    }

    /** The nodes of {@code nodes} that are not backed off now, in their given order. */
    List<Node> healthy(Collection<Node> nodes);

    /** Whether {@code node} is backed off now. */
    boolean isBackedOff(Node node);

    /** Records a failure of {@code node} now, backing it off. */
    void failed(Node node, Failure failure);

    /** Records that {@code node} completed a job: clears its failures. */
    void succeeded(Node node);

    /** The latest failure of {@code node} since its last success; empty if none. */
    Optional<Failure> lastFailure(Node node);

    /** Failures of {@code node} since its last success. */
    int consecutiveFailures(Node node);
}
