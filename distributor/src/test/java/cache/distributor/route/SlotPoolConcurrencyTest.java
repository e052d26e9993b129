package cache.distributor.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads against one pool: limits hold, nobody waits forever, nothing leaks. Threads
 * block on {@code join}, never sleep; every test is bounded by a preemptive timeout so a lost
 * waiter fails instead of hanging.
 */
class SlotPoolConcurrencyTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 1_000;
    private static final Duration BOUND = Duration.ofSeconds(60);

    private final List<Node> nodes = List.of(new Node("n1", 1), new Node("n2", 2),
            new Node("n3", 1), new Node("n4", 1));
    private final SlotPool pool = SlotPool.create(nodes, 1);
    private final Map<String, AtomicInteger> holders = new ConcurrentHashMap<>();
    private final AtomicInteger violations = new AtomicInteger();
    private final AtomicLong waited = new AtomicLong();

    /** A random ranking over a random non-empty subset, as health and rendezvous would give. */
    private List<Node> ranking(SplittableRandom random) {
        List<Node> ranking = new ArrayList<>(nodes);
        Collections.shuffle(ranking, new Random(random.nextLong()));
        return ranking.subList(0, 1 + random.nextInt(ranking.size()));
    }

    private void hold(Slot slot, SplittableRandom random) {
        AtomicInteger count = holders.computeIfAbsent(slot.node().id(), id -> new AtomicInteger());
        if (count.incrementAndGet() > slot.node().weight()) {
            violations.incrementAndGet();
        }
        for (int spin = random.nextInt(2_000); spin > 0; spin--) {
            Thread.onSpinWait(); // hold a little so that others queue up
        }
        count.decrementAndGet();
        slot.release();
        if (random.nextInt(4) == 0) {
            slot.release(); // idempotent, also under contention
        }
    }

    private void runThreads(Runnable[] bodies) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (Runnable body : bodies) {
            Thread t = new Thread(body);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void assertDrained() {
        for (Node node : nodes) {
            assertEquals(0, pool.inUse(node), "slots leaked on " + node.id());
        }
        assertEquals(0, pool.inUse(pool.local()), "local slots leaked");
        assertEquals(0, pool.waiting(), "waiters left behind");
        assertEquals(0, violations.get(), "a node had more holders than its limit");
    }

    @Test
    void limitsHoldAndEveryWaiterIsServed() {
        assertTimeoutPreemptively(BOUND, () -> {
            Runnable[] bodies = new Runnable[THREADS];
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(1000 + t);
                bodies[t] = () -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        boolean local = random.nextInt(10) == 0;
                        CompletableFuture<Slot> future = local ? pool.acquireLocal() : pool.acquire(ranking(random));
                        if (!future.isDone()) {
                            waited.incrementAndGet();
                        }
                        hold(future.join(), random);
                    }
                };
            }
            runThreads(bodies);
        });
        System.out.printf("slot pool: %d of %d acquisitions waited%n", waited.get(), THREADS * ROUNDS);
        assertDrained();
    }

    @Test
    void cancelledWaitersNeverHoldASlotAndNothingLeaks() {
        AtomicInteger cancelled = new AtomicInteger();
        assertTimeoutPreemptively(BOUND, () -> {
            Runnable[] bodies = new Runnable[THREADS];
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(2000 + t);
                bodies[t] = () -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        CompletableFuture<Slot> future = pool.acquire(ranking(random));
                        if (random.nextBoolean() && future.cancel(false)) {
                            cancelled.incrementAndGet();
                            assertTrue(future.isCancelled());
                            continue; // the client left; the pool must not count a slot for it
                        }
                        hold(future.join(), random);
                    }
                };
            }
            runThreads(bodies);
        });
        System.out.printf("slot pool: %d of %d acquisitions cancelled while waiting%n",
                cancelled.get(), THREADS * ROUNDS);
        assertFalse(cancelled.get() == 0, "the test should cancel some waiters");
        assertDrained();
    }
}
