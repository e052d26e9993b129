package cache.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Lowers the priority of one of the node's compile threads once, when it starts ({@code
 * --nice}): on Linux a niceness belongs to a thread and a process it starts inherits it, so
 * every compiler that thread starts runs at that niceness without a {@code nice} process per
 * compile (one process fewer in each job's chain; distccd renices itself whole, once). The
 * node's I/O and lookup threads keep their priority: a probe is answered at once on a node
 * busy compiling.
 *
 * <p>One {@code renice -n N -p TID} per thread, its result read back from {@code
 * /proc/thread-self/stat}; any doubt (no {@code renice}, no {@code /proc}, another niceness
 * read back) and the caller runs its compilers under {@code nice} as before.
 */
final class SelfNice {

    private static final Logger LOG = Logger.getLogger(SelfNice.class.getName());
    private static final Path SELF = Path.of("/proc/thread-self");
    private static final Path RENICE = Stream.of("/usr/bin/renice", "/bin/renice").map(Path::of)
            .filter(Files::isExecutable).findFirst().orElse(null);

    private SelfNice() {}

    /** Renices the calling thread by {@code increment} (up to 19); true when it now runs at that niceness. */
    static boolean thisThread(int increment) {
        if (RENICE == null || increment <= 0 || !Files.exists(SELF)) {
            return false;
        }
        try {
            String tid = Files.readSymbolicLink(SELF).getFileName().toString(); // PID/task/TID
            int target = Math.min(19, niceness() + increment);
            // util-linux 2.38 takes -n as the new niceness; read back, so that a renice that
            // reads it otherwise (as an increment, from a thread not at 0) falls back to nice.
            Process p = new ProcessBuilder(RENICE.toString(), "-n", Integer.toString(target), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return niceness() == target;
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "cannot renice " + Thread.currentThread().getName() + ": " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The calling thread's niceness. */
    static int niceness() throws IOException {
        return niceOf(Files.readString(SELF.resolve("stat"), StandardCharsets.US_ASCII));
    }

    /** Field 19 (niceness) of a {@code stat} line; the command name in parentheses may hold spaces. */
    static int niceOf(String stat) {
        List<String> after = List.of(stat.substring(stat.lastIndexOf(')') + 2).trim().split(" "));
        return Integer.parseInt(after.get(16)); // after[0] is field 3 (state)
    }
}
