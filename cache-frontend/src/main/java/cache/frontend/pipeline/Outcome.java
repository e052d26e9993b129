package cache.frontend.pipeline;

import java.nio.file.Path;

/** How the daemon answers a compile request. */
public sealed interface Outcome {

    /**
     * Print these bytes and exit with this code: a hit, or a miss the daemon compiled.
     * {@code afterReply} (null: nothing) is store work the answer does not wait for, such as a
     * remote hit's back-fill into the local store: whoever sends the reply runs it afterwards,
     * while the call still holds the store; whoever only wants the outcome runs it at once
     * ({@link #settled}).
     */
    record Replay(byte[] stdout, byte[] stderr, int exitCode, Runnable afterReply) implements Outcome {
        public Replay(byte[] stdout, byte[] stderr, int exitCode) {
            this(stdout, stderr, exitCode, null);
        }
    }

    /** {@code o} with its after-reply work done: for callers that send no reply of their own. */
    static Outcome settled(Outcome o) {
        if (o instanceof Replay r && r.afterReply() != null) {
            r.afterReply().run();
            return new Replay(r.stdout(), r.stderr(), r.exitCode());
        }
        return o;
    }

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

    /** The remainder of a deferred call; its outcome is never {@link Deferred}. */
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
