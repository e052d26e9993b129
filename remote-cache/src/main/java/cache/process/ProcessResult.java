package cache.process;

/**
 * What a finished or killed command left: its exit code (128+N when killed by signal N, -1 when
 * it {@code timedOut}) and its captured output (when it timed out: whatever it wrote before it was
 * killed, possibly nothing).
 */
public record ProcessResult(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {

    /** A command that ended by itself, within its limit. */
    public ProcessResult(int exitCode, byte[] stdout, byte[] stderr) {
        this(exitCode, stdout, stderr, false);
    }
}
