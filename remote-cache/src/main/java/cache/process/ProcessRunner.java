package cache.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a command to completion: the seam that lets tests fake compilers.
 *
 * <p>The command runs in {@code cwd} with exactly {@code env} (nothing inherited) and stdin from
 * {@code /dev/null}; its stdout and stderr are captured whole. When it runs longer than
 * {@code limit}, the command and everything it started are killed and the result says
 * {@link ProcessResult#timedOut() timed out}. An interrupted caller kills the command and
 * everything it started before {@code run} returns (by {@link InterruptedException}).
 * {@link IOException} means the command could not be started or its output not read.
 */
public interface ProcessRunner {

    /** A limit no command reaches: wait for it however long it takes. */
    Duration NO_LIMIT = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit)
            throws IOException, InterruptedException;

    /** {@link #run(List, Path, Map, Duration)} with {@link #NO_LIMIT}. */
    default ProcessResult run(List<String> command, Path cwd, Map<String, String> env)
            throws IOException, InterruptedException {
        return run(command, cwd, env, NO_LIMIT);
    }
}
