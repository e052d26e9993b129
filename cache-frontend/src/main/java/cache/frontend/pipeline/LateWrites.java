package cache.frontend.pipeline;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The count of replies whose {@link Outcome.Replay#afterReply} work has not run yet, for those
 * who must not act before it did ({@link CompilePipeline#awaitLateWrites}). The work is short
 * (a back-fill into the local store); waiting for it is bounded all the same, so that a reply
 * whose work was never run (its client gone before the answer was made) cannot stall anyone
 * for longer than that.
 *
 * <p>Work that is dropped without running (an outcome lost to an exception on its way to the
 * reply) leaves the count once the garbage collector finds it unreachable: otherwise each such
 * loss would stay counted for the daemon's life, and every later {@code -C} or {@code -s}
 * would wait the whole bound for it.
 */
final class LateWrites {

    /** One thread for every pipeline's dropped work; it only decrements counts. */
    private static final Cleaner DROPPED = Cleaner.create();

    private int pending;

    /** {@code o}, its after-reply work counted until it has run (or was dropped unrun). */
    Outcome tracked(Outcome o) {
        if (!(o instanceof Outcome.Replay r) || r.afterReply() == null) {
            return o;
        }
        synchronized (this) {
            pending++;
        }
        Runnable work = r.afterReply();
        Done done = new Done(this); // must not reach the work it counts, or the work never becomes unreachable
        Runnable counted = () -> {
            try {
                work.run();
            } finally {
                done.run();
            }
        };
        DROPPED.register(counted, done);
        return new Outcome.Replay(r.stdout(), r.stderr(), r.exitCode(), counted);
    }

    /** Takes one piece of work off the count, once, whether it ran or was dropped. */
    private static final class Done implements Runnable {
        private final LateWrites count;
        private final AtomicBoolean once = new AtomicBoolean();

        Done(LateWrites count) {
            this.count = count;
        }

        @Override
        public void run() {
            if (once.compareAndSet(false, true)) {
                count.done();
            }
        }
    }

    private synchronized void done() {
        pending--;
        notifyAll();
    }

    synchronized void await(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        for (long left = max.toNanos(); pending > 0 && left > 0; left = deadline - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized int pending() {
        return pending;
    }
}
