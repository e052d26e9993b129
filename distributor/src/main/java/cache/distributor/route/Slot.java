package cache.distributor.route;

/**
 * The right to run one job on one node, from host choice until the reply is read.
 *
 * <p>Contract: a slot counts against its node's limit from the moment its future completes
 * until the first {@link #release()}. Release it exactly when the job is over, whatever the
 * outcome; the pool may hand it straight to a waiting job.
 */
public interface Slot {

    /** The node the slot belongs to; for a local slot, {@link SlotPool#local()}. */
    Node node();

    /** Whether this is one of the local slots rather than a farm node's. */
    boolean isLocal();

    /** Gives the slot back. Idempotent: calls after the first do nothing. Thread-safe. */
    void release();
}
