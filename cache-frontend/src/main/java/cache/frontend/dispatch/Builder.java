package cache.frontend.dispatch;

import java.util.concurrent.CompletableFuture;

/**
 * Who compiles a miss: this machine ({@link LocalBuilder}, always last), a farm's node, …. A
 * builder is asked only after every lookup tier missed.
 *
 * <p>The future completes with the compiler's answer, whatever it was (a failed compile is an
 * answer, and the call reports it). It completes exceptionally when the builder could not get an
 * answer (a node gone, a refusal, a timeout): the call then goes to the next builder, counted,
 * and never fails because of it; with {@link Declined} when the job is not for this builder
 * (distribution off, or the job must stay here). {@code build} may block only for a local compile; a builder
 * that waits on the network returns a pending future at once. Cancelling the future (the client
 * left) must stop the work it started.
 */
public interface Builder {

    /** The name that logs and statistics give this builder ("local", a host). */
    String name();

    CompletableFuture<BuildResult> build(BuildJob job) throws InterruptedException;
}
