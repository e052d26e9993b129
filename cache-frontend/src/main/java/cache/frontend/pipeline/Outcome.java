package cache.frontend.pipeline;

import java.nio.file.Path;

/** How the daemon answers a compile request. */
public sealed interface Outcome {

    /** Print these bytes and exit with this code: a hit, or a miss the daemon compiled. */
    record Replay(byte[] stdout, byte[] stderr, int exitCode) implements Outcome {}

    /**
     * Not cacheable: the client runs the compiler itself, exactly as asked; {@code compiler}
     * when the configuration ({@code compiler}, {@code path}) chose another one than the
     * client found, else null.
     */
    record Passthrough(String reason, Path compiler) implements Outcome {
        public Passthrough(String reason) {
            this(reason, null);
        }
    }

    /** Something of ours failed: the client runs the compiler itself ({@code compiler} as above). Counted and logged. */
    record Fallback(String reason, Path compiler) implements Outcome {
        public Fallback(String reason) {
            this(reason, null);
        }
    }

    /**
     * The call needs a process (a compile, a preprocessor run, a compiler check command) and was
     * not answered on the thread that asked ({@link CompilePipeline#handleQuick}): {@code rest}
     * finishes it, on a thread that may block. Never returned by {@link CompilePipeline#handle}.
     */
    record Deferred(Rest rest) implements Outcome {}

    /**
     * The call waits for a remote read started without blocking (direct mode's manifest or entry
     * from Redis, {@link CompilePipeline#handleQuick}): once {@code read} completes, {@code next}
     * continues the call on a thread that must not block (the daemon's event loop, as the quick
     * part ran on). {@code next} does not wait; its outcome may be any, {@link Pending} or
     * {@link Deferred} again. No thread waits for the round trip, and none is handed the call
     * just to wait. Never returned by {@link CompilePipeline#handle}.
     */
    record Pending(java.util.concurrent.CompletableFuture<?> read, Rest next) implements Outcome {}

    /** The remainder of a deferred call; its outcome is never {@link Deferred} (nor {@link Pending}). */
    @FunctionalInterface
    interface Rest {
        Outcome run() throws InterruptedException;
    }

    /** This outcome, with the compiler the client must run when it compiles by itself. */
    static Outcome runningInstead(Outcome o, Path compiler) {
        if (o instanceof Passthrough p) {
            return new Passthrough(p.reason(), compiler);
        }
        if (o instanceof Fallback f) {
            return new Fallback(f.reason(), compiler);
        }
        return o;
    }
}
