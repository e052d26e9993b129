package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.compat.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * ccache's {@code log_file} and {@code stats_log}, written after each call.
 *
 * <ul>
 *   <li>{@code log_file}: one line per call, {@code [time] cwd: compiler args => what happened},
 *       where what happened is {@code hit (direct)}, {@code hit (preprocessed)}, {@code miss},
 *       {@code recache}, {@code not cacheable: <counter>: <reason>} or
 *       {@code fallback: <reason>}. ccache writes a detailed trace instead; ours is the
 *       summary a user greps for. {@code syslog} is not supported (nothing is written).
 *   <li>{@code stats_log}: {@code # <source>} and then the name of every counter the call
 *       incremented, once per increment, sorted, as ccache 4.7 writes it; read back by
 *       {@code --show-log-stats}.
 * </ul>
 *
 * Both are appended with {@code O_APPEND}, one write per call, so concurrent calls do not
 * interleave within a line. A file that cannot be written is skipped with a warning in the
 * daemon's log: logging never fails a compile.
 */
final class CallLog {

    private static final Logger LOG = Logger.getLogger(CallLog.class.getName());
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");

    private CallLog() {}

    static void write(CompileRequest req, Supplier<String> source, CallStats stats, Outcome outcome) {
        Config c = req.config();
        if (!c.logFile().isEmpty() && !c.logFile().equals("syslog")) {
            String line = "[" + LocalDateTime.now().format(TIME) + "] " + req.cwd() + ": " + req.compilerName() + " "
                    + String.join(" ", req.args()) + " => " + what(stats, outcome) + "\n";
            append(req.cwd().resolve(c.logFile()), line);
        }
        if (!c.statsLog().isEmpty()) {
            List<String> names = stats.names();
            if (!names.isEmpty()) {
                append(req.cwd().resolve(c.statsLog()), "# " + source.get() + "\n" + String.join("\n", names) + "\n");
            }
        }
    }

    private static String what(CallStats stats, Outcome outcome) {
        if (outcome instanceof Outcome.Passthrough p) {
            return "not cacheable: " + p.reason();
        }
        if (outcome instanceof Outcome.Fallback f) {
            return "fallback: " + f.reason();
        }
        if (stats.counted(Counter.DIRECT_CACHE_HIT)) {
            return "hit (direct)";
        }
        if (stats.counted(Counter.PREPROCESSED_CACHE_HIT)) {
            return "hit (preprocessed)";
        }
        if (stats.counted(Counter.RECACHE)) {
            return "recache";
        }
        return stats.counted(Counter.COMPILE_FAILED) ? "miss (compilation failed, not stored)" : "miss";
    }

    private static void append(Path file, String text) {
        try {
            Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot append to " + file + ": " + e.getMessage());
        }
    }
}
