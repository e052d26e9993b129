package cache.distributor.route;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link SlotPool} with one lock and one first-come-first-served queue of waiters.
 *
 * <p>Design. distcc scans lock files and, when all are taken, sleeps a second and scans
 * again: a freed slot sits idle for up to a second and nobody is served in order. Here a
 * release looks at the waiters, oldest first, and hands its slot to the first one whose
 * ranking contains the slot's node; only when none can use it does the slot become free.
 * Hence the invariant, true whenever the lock is free: <em>no queued waiter could use a free
 * slot</em>. A new acquisition may therefore take a free slot without overtaking anyone.
 *
 * <p>Locking. {@link #lock} guards every pool's {@code inUse} and the waiter queue; the
 * critical sections only count and scan, so one lock costs nothing next to a compile that
 * takes milliseconds to seconds. Futures are completed after the lock is dropped, so a
 * client's callbacks never run under it. That opens one race: a waiter may be cancelled
 * between being taken off the queue and its completion. {@link #release(Pool)} then sees
 * {@code complete} fail and passes the slot on, in a loop, so a cancelled waiter never keeps
 * a slot. A waiter cancelled while queued removes itself (a linear scan; queues are as long
 * as the number of concurrent clients).
 */
final class QueuedSlotPool implements SlotPool {

    private final Object lock = new Object();
    private final Map<String, Pool> byId = new HashMap<>();
    private final Pool local;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock

    QueuedSlotPool(Collection<Node> nodes, int localSlots) {
        if (localSlots < 1) {
            throw new IllegalArgumentException("local slots must be at least 1, got " + localSlots);
        }
        for (Node node : nodes) {
            if (node.id().equals(LOCAL_ID)) {
                throw new IllegalArgumentException("node id " + LOCAL_ID + " is reserved for local slots");
            }
            if (byId.putIfAbsent(node.id(), new Pool(node, false)) != null) {
                throw new IllegalArgumentException("duplicate node id " + node.id());
            }
        }
        local = new Pool(new Node(LOCAL_ID, localSlots), true);
    }

    @Override
    public CompletableFuture<Slot> acquire(List<Node> ranking) {
        if (ranking.isEmpty()) {
            throw new IllegalArgumentException("empty ranking");
        }
        List<Pool> candidates = new ArrayList<>(ranking.size());
        for (Node node : ranking) {
            candidates.add(pool(node));
        }
        return enqueueOrGrant(candidates);
    }

    @Override
    public CompletableFuture<Slot> acquireLocal() {
        return enqueueOrGrant(List.of(local));
    }

    @Override
    public Node local() {
        return local.node;
    }

    @Override
    public int inUse(Node node) {
        Pool pool = node.id().equals(LOCAL_ID) ? local : pool(node);
        synchronized (lock) {
            return pool.inUse;
        }
    }

    @Override
    public int waiting() {
        synchronized (lock) {
            return (int) waiters.stream().filter(w -> !w.future.isDone()).count();
        }
    }

    private Pool pool(Node node) {
        Pool pool = byId.get(node.id());
        if (pool == null) {
            throw new IllegalArgumentException("unknown node " + node.id());
        }
        return pool;
    }

    private CompletableFuture<Slot> enqueueOrGrant(List<Pool> candidates) {
        Waiter waiter;
        synchronized (lock) {
            for (Pool pool : candidates) {
                if (pool.inUse < pool.node.weight()) {
                    pool.inUse++;
                    return CompletableFuture.completedFuture(new Lease(pool));
                }
            }
            waiter = new Waiter(candidates);
            waiters.addLast(waiter);
        }
        waiter.future.whenComplete((slot, failure) -> {
            if (failure != null) { // cancelled, or failed by the client: it left
                synchronized (lock) {
                    waiters.remove(waiter);
                }
            }
        });
        return waiter.future;
    }

    /** Hands the slot to the oldest waiter that can use it, or frees it. */
    private void release(Pool pool) {
        while (true) {
            Waiter next = null;
            synchronized (lock) {
                for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (w.future.isDone()) {
                        it.remove(); // left; its own clean-up may not have run yet
                    } else if (w.candidates.contains(pool)) {
                        it.remove();
                        next = w;
                        break;
                    }
                }
                if (next == null) {
                    pool.inUse--;
                    return;
                }
            }
            if (next.future.complete(new Lease(pool))) {
                return;
            }
            // the waiter left after we took it off the queue: pass the slot on
        }
    }

    /** One node's (or the local machine's) slots. {@code inUse} is guarded by the pool's lock. */
    private static final class Pool {
        final Node node;
        final boolean isLocal;
        int inUse;

        Pool(Node node, boolean isLocal) {
            this.node = node;
            this.isLocal = isLocal;
        }
    }

    private static final class Waiter {
        final List<Pool> candidates;
        final CompletableFuture<Slot> future = new CompletableFuture<>();

        Waiter(List<Pool> candidates) {
            this.candidates = candidates;
        }
    }

    private final class Lease implements Slot {
        private final Pool pool;
        private final AtomicBoolean released = new AtomicBoolean();

        Lease(Pool pool) {
            this.pool = pool;
        }

        @Override
        public Node node() {
            return pool.node;
        }

        @Override
        public boolean isLocal() {
            return pool.isLocal;
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                QueuedSlotPool.this.release(pool);
            }
        }

        @Override
        public String toString() {
            return "Slot[" + pool.node.id() + "]";
        }
    }
}
