package cache.frontend.pipeline;

/** How the daemon answers a compile request. */
public sealed interface Outcome {

    /** Print these bytes and exit with this code: a hit, or a miss the daemon compiled. */
    record Replay(byte[] stdout, byte[] stderr, int exitCode) implements Outcome {}

    /** Not cacheable: the client runs the compiler itself, exactly as asked. */
    record Passthrough(String reason) implements Outcome {}

    /** Something of ours failed: the client runs the compiler itself. Counted and logged. */
    record Fallback(String reason) implements Outcome {}
}
