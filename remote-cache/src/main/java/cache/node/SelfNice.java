package cache.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Lowers the priority of the whole {@code cached} process once, at start, as distccd renices
 * itself ({@code --nice}): every compiler it starts then inherits the niceness, and no
 * {@code nice} process is started per compile (one process fewer in each job's chain).
 *
 * <p>On Linux a niceness belongs to a thread, and a new thread takes its creator's: so every
 * thread of the JVM at that moment is reniced ({@code renice -n N -p TID…}, one process), which
 * makes every thread created afterwards, the node's included, start at that niceness. The result
 * is read back from {@code /proc/self/task/TID/stat}; any doubt (no {@code renice}, no
 * {@code /proc}, a thread left at another niceness) and the caller keeps the per-compile
 * {@code nice}.
 */
final class SelfNice {

    private static final Logger LOG = Logger.getLogger(SelfNice.class.getName());
    private static final Path TASKS = Path.of("/proc/self/task");

    private SelfNice() {}

    /**
     * Renices every thread of this process by {@code increment} (up to 19); true when every
     * thread now runs at that niceness.
     */
    static boolean apply(int increment) {
        Path renice = Stream.of("/usr/bin/renice", "/bin/renice").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (renice == null || increment <= 0 || !Files.isDirectory(TASKS)) {
            return false;
        }
        try {
            Integer now = niceness(Path.of("/proc/thread-self"));
            if (now == null) {
                return false;
            }
            int target = Math.min(19, now + increment);
            // Threads started while renice runs take their creator's old niceness: a few passes.
            for (int pass = 0; pass < 3; pass++) {
                List<String> behind = new ArrayList<>();
                for (Path task : tasks()) {
                    Integer n = niceness(task);
                    if (n != null && n != target) {
                        behind.add(task.getFileName().toString());
                    }
                }
                if (behind.isEmpty()) {
                    return true;
                }
                // util-linux's -n is the new niceness (an absolute value up to 2.38; an increment
                // in later versions, where from 0 it comes to the same); read back either way.
                List<String> cmd = new ArrayList<>(List.of(renice.toString(), "-n", Integer.toString(target), "-p"));
                cmd.addAll(behind);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
            }
            for (Path task : tasks()) {
                Integer n = niceness(task);
                if (n != null && n != target) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "cannot renice the node: " + e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Path> tasks() throws IOException {
        try (Stream<Path> s = Files.list(TASKS)) {
            return s.toList();
        }
    }

    /** The niceness of a task, field 19 of its {@code stat}; null for a thread gone meanwhile (it runs nothing). */
    static Integer niceness(Path task) throws IOException {
        try {
            return niceOf(Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII));
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** Field 19 (niceness) of a {@code stat} line; the command name in parentheses may hold spaces. */
    static int niceOf(String stat) {
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(after[16]); // after[0] is field 3 (state)
    }
}
