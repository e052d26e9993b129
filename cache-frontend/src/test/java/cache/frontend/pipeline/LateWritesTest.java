package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LateWritesTest {

    @Test
    void aWaiterReturnsOnlyOnceTheAfterReplyWorkHasRun() throws Exception {
        LateWrites late = new LateWrites();
        AtomicBoolean written = new AtomicBoolean();
        Outcome.Replay r = (Outcome.Replay) late.tracked(new Outcome.Replay(new byte[0], new byte[0], 0,
                () -> written.set(true)));
        assertEquals(1, late.pending());
        CountDownLatch waiting = new CountDownLatch(1);
        boolean[] sawWrite = new boolean[1];
        Thread waiter = new Thread(() -> {
            waiting.countDown();
            try {
                late.await(Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sawWrite[0] = written.get();
        });
        waiter.start();
        waiting.await();
        Thread.sleep(50); // the waiter is waiting (if it returned early, it saw no write)
        r.afterReply().run();
        waiter.join();
        assertTrue(sawWrite[0], "the waiter returned after the write, not before");
        assertEquals(0, late.pending());
    }

    @Test
    void workThatNeverRunsHoldsAWaiterOnlyForItsBound() throws Exception {
        LateWrites late = new LateWrites();
        Outcome held = late.tracked(new Outcome.Replay(new byte[0], new byte[0], 0, () -> { }));
        long t0 = System.nanoTime();
        late.await(Duration.ofMillis(100));
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(100).toNanos(), "it waited for the pending work");
        assertEquals(1, late.pending());
        java.lang.ref.Reference.reachabilityFence(held); // still held: not dropped
    }

    /** Session 14's review: work dropped without running must not stay counted for the daemon's life. */
    @Test
    void workDroppedWithoutRunningLeavesTheCount() throws Exception {
        LateWrites late = new LateWrites();
        late.tracked(new Outcome.Replay(new byte[0], new byte[0], 0, () -> { })); // dropped at once
        Outcome ran = late.tracked(new Outcome.Replay(new byte[0], new byte[0], 0, () -> { }));
        ((Outcome.Replay) ran).afterReply().run();
        ran = null; // run, then dropped: taken off once, not twice
        while (late.pending() > 0) { // bounded by the class's @Timeout
            System.gc();
            Thread.sleep(10);
        }
        for (int i = 0; i < 5; i++) { // the second one's cleaning, after its run, must not count it off again
            System.gc();
            Thread.sleep(10);
        }
        assertEquals(0, late.pending());
    }

    @Test
    void outcomesWithoutAfterReplyWorkAreNotCounted() {
        LateWrites late = new LateWrites();
        Outcome plain = new Outcome.Replay(new byte[0], new byte[0], 0);
        assertSame(plain, late.tracked(plain));
        Outcome fallback = new Outcome.Fallback("x");
        assertSame(fallback, late.tracked(fallback));
        assertEquals(0, late.pending());
    }
}
