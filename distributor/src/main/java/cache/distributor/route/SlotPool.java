package cache.distributor.route;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Bounded job slots on the farm's nodes and on the local machine, handed out without polling.
 *
 * <p>Contract:
 * <ul>
 *   <li>A node never has more slots out than its {@link Node#weight() weight}; the local
 *       machine never more than its local limit.</li>
 *   <li>{@link #acquire(List)} completes at once with a slot on the first node of the ranking
 *       that has one free: the key's owner if it can, else the next in that key's ranking,
 *       never a node outside the ranking.</li>
 *   <li>When every node of the ranking is full, the future completes as soon as a slot on
 *       any of them is released: the release hands that slot straight to the oldest waiter
 *       whose ranking contains the node (first come, first served). No timers, no sleeping.</li>
 *   <li>A cancelled future never holds a slot: it leaves the queue, and a slot handed to it
 *       in a race is passed on as if released.</li>
 *   <li>All methods are thread-safe. Futures are completed outside the pool's lock, so their
 *       callbacks may call back into the pool.</li>
 * </ul>
 */
public interface SlotPool {

    /** The id of the node that stands for the local machine, as in distcc's host lists. */
    String LOCAL_ID = "localhost";

    /**
     * A pool over {@code nodes}, each with {@code weight} slots, and {@code localSlots} slots
     * for jobs that run here.
     *
     * @throws IllegalArgumentException on duplicate node ids, on a node with id
     *     {@link #LOCAL_ID}, or if {@code localSlots} is below 1
     */
    static SlotPool create(Collection<Node> nodes, int localSlots) {
        return new QueuedSlotPool(nodes, localSlots);
    }

    /**
     * A slot on the most preferred node of {@code ranking} that can take a job, now or as
     * soon as one frees. Typically {@code ranking} is {@link Rendezvous#rank} over the
     * healthy nodes.
     *
     * @throws IllegalArgumentException if the ranking is empty or names a node the pool
     *     does not know (by id)
     */
    CompletableFuture<Slot> acquire(List<Node> ranking);

    /** A local slot, now or as soon as one frees; first come, first served with remote waiters. */
    CompletableFuture<Slot> acquireLocal();

    /** The local machine as a node: id {@link #LOCAL_ID}, weight the local slot limit. */
    Node local();

    /** Slots of {@code node} currently out ({@link #local()} for the local machine). */
    int inUse(Node node);

    /** Acquisitions waiting for a slot right now. */
    int waiting();
}
