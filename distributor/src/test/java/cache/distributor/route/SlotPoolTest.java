package cache.distributor.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Single-threaded behaviour; see {@link SlotPoolConcurrencyTest} for the races. */
class SlotPoolTest {

    private final Node a = new Node("a:3632", 2);
    private final Node b = new Node("b:3632", 1);
    private final Node c = new Node("c:3632", 1);
    private final SlotPool pool = SlotPool.create(List.of(a, b, c), 1);

    private static Slot now(CompletableFuture<Slot> future) {
        assertTrue(future.isDone(), "expected a slot at once");
        return future.join();
    }

    @Test
    void ownerFirstThenNextInTheRanking() {
        assertEquals(a, now(pool.acquire(List.of(a, b))).node());
        assertEquals(a, now(pool.acquire(List.of(a, b))).node());
        assertEquals(b, now(pool.acquire(List.of(a, b))).node());
        assertEquals(2, pool.inUse(a));
        assertEquals(1, pool.inUse(b));
    }

    @Test
    void neverSpillsOutsideTheRanking() {
        now(pool.acquire(List.of(b)));
        CompletableFuture<Slot> waiting = pool.acquire(List.of(b));
        assertFalse(waiting.isDone(), "a and c are free but not in the ranking");
        assertEquals(0, pool.inUse(a));
        assertEquals(1, pool.waiting());
    }

    @Test
    void whenAllAreFullTheFirstReleaseAmongThemCompletesTheWaiter() {
        Slot onB = now(pool.acquire(List.of(b, c)));
        Slot onC = now(pool.acquire(List.of(b, c)));
        CompletableFuture<Slot> waiting = pool.acquire(List.of(b, c));
        assertFalse(waiting.isDone());
        onC.release();
        assertEquals(c, now(waiting).node(), "handed over by the release, no polling");
        assertEquals(1, pool.inUse(c));
        assertEquals(0, pool.waiting());
        onB.release();
        assertEquals(0, pool.inUse(b));
    }

    @Test
    void waitersAreServedFirstComeFirstServed() {
        Slot held = now(pool.acquire(List.of(b)));
        now(pool.acquire(List.of(c)));
        CompletableFuture<Slot> first = pool.acquire(List.of(b));
        CompletableFuture<Slot> second = pool.acquire(List.of(c, b));
        assertFalse(second.isDone());
        held.release();
        assertTrue(first.isDone());
        assertFalse(second.isDone());
        now(first).release();
        assertEquals(b, now(second).node());
    }

    @Test
    void aReleaseSkipsWaitersThatCannotUseItsNode() {
        Slot onB = now(pool.acquire(List.of(b)));
        now(pool.acquire(List.of(c)));
        CompletableFuture<Slot> wantsC = pool.acquire(List.of(c));
        CompletableFuture<Slot> wantsB = pool.acquire(List.of(b));
        onB.release();
        assertFalse(wantsC.isDone());
        assertEquals(b, now(wantsB).node());
    }

    @Test
    void releaseIsIdempotent() {
        Slot held = now(pool.acquire(List.of(b)));
        CompletableFuture<Slot> first = pool.acquire(List.of(b));
        held.release();
        CompletableFuture<Slot> second = pool.acquire(List.of(b));
        held.release();
        held.release();
        assertTrue(first.isDone());
        assertFalse(second.isDone(), "a second release must not free a slot again");
        assertEquals(1, pool.inUse(b));
    }

    @Test
    void aCancelledWaiterNeverGetsASlot() {
        Slot held = now(pool.acquire(List.of(b)));
        CompletableFuture<Slot> left = pool.acquire(List.of(b));
        CompletableFuture<Slot> stays = pool.acquire(List.of(b));
        assertTrue(left.cancel(false));
        assertEquals(1, pool.waiting());
        held.release();
        assertTrue(left.isCancelled());
        assertEquals(b, now(stays).node());
        now(stays).release();
        assertEquals(0, pool.inUse(b));
    }

    @Test
    void aWaiterFailedByItsClientLeavesTheQueue() {
        Slot held = now(pool.acquire(List.of(b)));
        CompletableFuture<Slot> left = pool.acquire(List.of(b));
        left.completeExceptionally(new IllegalStateException("client went away"));
        assertEquals(0, pool.waiting());
        held.release();
        assertEquals(0, pool.inUse(b));
    }

    @Test
    void localSlotsAreSeparateAndQueued() {
        Node local = pool.local();
        assertEquals(SlotPool.LOCAL_ID, local.id());
        assertEquals(1, local.weight());
        Slot held = now(pool.acquireLocal());
        assertTrue(held.isLocal());
        assertSame(local, held.node());
        CompletableFuture<Slot> waiting = pool.acquireLocal();
        CompletableFuture<Slot> remote = pool.acquire(List.of(b));
        assertFalse(waiting.isDone());
        assertFalse(now(remote).isLocal());
        held.release();
        assertTrue(now(waiting).isLocal());
        assertEquals(1, pool.inUse(local));
    }

    @Test
    void rejectsWhatItCannotServe() {
        assertThrows(IllegalArgumentException.class, () -> pool.acquire(List.of()));
        assertThrows(IllegalArgumentException.class, () -> pool.acquire(List.of(new Node("d", 1))));
        assertThrows(IllegalArgumentException.class, () -> SlotPool.create(List.of(a, a), 1));
        assertThrows(IllegalArgumentException.class, () -> SlotPool.create(List.of(a), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SlotPool.create(List.of(new Node(SlotPool.LOCAL_ID, 2)), 1));
    }

    @Test
    void theLimitComesFromThePoolNotFromTheRankingsNode() {
        now(pool.acquire(List.of(new Node("b:3632", 5))));
        assertFalse(pool.acquire(List.of(new Node("b:3632", 5))).isDone());
    }
}
