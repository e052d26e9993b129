package cache.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs commands under the native client's {@code --cache-supervise} mode when a client binary
 * is known: the supervisor puts the compiler in its own process group, dies with the daemon
 * (PR_SET_PDEATHSIG) and then kills that group. So a daemon killed with SIGKILL never leaves a
 * compiler behind that could still be writing an object while the build's fallback compile
 * writes the same file.
 *
 * <p>Only a compiler's own exit is an answer. A command that ends by a signal (a status of 128
 * or more: our supervisor killing it as the daemon stops, the OOM killer, …) or a supervisor
 * that failed itself (it exits {@link #SUPERVISE_FAILED} with {@link #SUPERVISE_MARK} first on
 * stderr: no fork, no exec, the daemon gone) throws {@link NotAnAnswerException}: the call then
 * falls back to the client's own compile, which gives the build the compiler's real answer. A
 * compile probe ({@code gcc -Werror -fflag -c -x c /dev/null}) must never learn "unsupported"
 * from a compile we cut short. A command that {@link ProcessResult#timedOut() timed out} is
 * returned as such: the caller chose that limit.
 *
 * <p>The supervisor dies with the thread that spawned it (that is what PR_SET_PDEATHSIG ties it
 * to), so this decorates a runner that starts and waits for the command on the caller's thread:
 * a {@link DefaultProcessRunner}.
 */
public final class SupervisedProcessRunner implements ProcessRunner {

    /** The native supervisor's status for its own failures (cache.c). */
    static final int SUPERVISE_FAILED = 125;
    /** What the native supervisor writes first on stderr when it failed itself (cache.c). */
    static final String SUPERVISE_MARK = "cache: --cache-supervise: ";

    /** A command that ended without giving the compiler's answer; see the class comment. */
    public static final class NotAnAnswerException extends IOException {
        private static final long serialVersionUID = 1L;

        NotAnAnswerException(String message) {
            super(message);
        }
    }

    private final ProcessRunner direct;
    private final Path supervisor;

    /** @param supervisor the native client, or {@code null} to run commands directly */
    public SupervisedProcessRunner(Path supervisor) {
        this(new DefaultProcessRunner(), supervisor);
    }

    /** @param direct runs the (wrapped) command; it must start and wait for it on the caller's thread */
    SupervisedProcessRunner(ProcessRunner direct, Path supervisor) {
        this.direct = direct;
        this.supervisor = supervisor;
    }

    @Override
    public ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command.size() + 2);
        if (supervisor != null) {
            full.add(supervisor.toString());
            full.add("--cache-supervise");
        }
        full.addAll(command);
        ProcessResult result = direct.run(full, cwd, env, limit);
        if (!result.timedOut()) {
            checkAnswer(command, result);
        }
        return result;
    }

    /** Throws when {@code r} is not the command's own exit (see the class comment). */
    void checkAnswer(List<String> command, ProcessResult r) throws NotAnAnswerException {
        if (r.exitCode() >= 128) {
            throw new NotAnAnswerException(command.get(0) + " ended by signal " + (r.exitCode() - 128)
                    + " (status " + r.exitCode() + "): not the compiler's answer");
        }
        if (supervisor != null && r.exitCode() == SUPERVISE_FAILED && startsWith(r.stderr(), SUPERVISE_MARK)) {
            String why = new String(r.stderr(), StandardCharsets.UTF_8).strip();
            throw new NotAnAnswerException("the supervisor failed: " + why);
        }
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        return bytes.length >= p.length && Arrays.equals(bytes, 0, p.length, p, 0, p.length);
    }
}
