package cache.node;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a child process to completion; the seam that lets tests fake compilers. */
public interface ProcessRunner {

    /** What a finished (or killed) process left. */
    record Outcome(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {
    }

    /**
     * Runs {@code command} in {@code dir} with exactly {@code env}, stdin from /dev/null. When it
     * runs longer than {@code limit} the whole process tree is killed and the outcome says so.
     */
    Outcome run(List<String> command, Path dir, Map<String, String> env, Duration limit)
            throws IOException, InterruptedException;
}
