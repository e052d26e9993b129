package cache.frontend.pipeline;

import java.time.Duration;

/**
 * The count of replies whose {@link Outcome.Replay#afterReply} work has not run yet, for those
 * who must not act before it did ({@link CompilePipeline#awaitLateWrites}). The work is short
 * (a back-fill into the local store); waiting for it is bounded all the same, so that a reply
 * whose work was never run (its client gone before the answer was made) cannot stall anyone
 * for longer than that.
 */
final class LateWrites {

    private int pending;

    /** {@code o}, its after-reply work counted until it has run. */
    Outcome tracked(Outcome o) {
        if (!(o instanceof Outcome.Replay r) || r.afterReply() == null) {
            return o;
        }
        synchronized (this) {
            pending++;
        }
        Runnable work = r.afterReply();
        return new Outcome.Replay(r.stdout(), r.stderr(), r.exitCode(), () -> {
            try {
                work.run();
            } finally {
                done();
            }
        });
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
