package cache.frontend.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a command to completion with stdin from {@code /dev/null}, capturing stdout and stderr.
 * An interrupted caller kills the command (and everything it started) before returning.
 */
public interface ProcessRunner {

    ProcessResult run(List<String> command, Path cwd, Map<String, String> env)
            throws IOException, InterruptedException;
}
