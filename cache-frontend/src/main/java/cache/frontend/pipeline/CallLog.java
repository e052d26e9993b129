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

    /**
     * {@code debug}: the call's own log, {@code <object>.<time>.ccache-log} (see {@link DebugFiles}),
     * written for every call ccache would name one for, cached or not: the command, the
     * working directory, the compiler type, what happened and one {@code Result: <counter>}
     * line per counter the call incremented, as ccache's log ends.
     */
    static void writeDebugLog(CompileRequest req, CallStats stats, Outcome outcome) {
        String object = DebugFiles.objectOf(req.args(), req.cwd());
        if (object == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("Command line: ").append(req.compilerName()).append(' ').append(String.join(" ", req.args()))
                .append('\n');
        b.append("Working directory: ").append(req.cwd()).append('\n');
        b.append("Compiler type: ")
                .append(cache.frontend.key.CompilerFamily.of(req.config().compilerType(), req.compiler()).word())
                .append('\n');
        b.append("Object file: ").append(object).append('\n');
        for (String note : stats.notes()) {
            b.append(note).append('\n');
        }
        b.append("Outcome: ").append(what(stats, outcome)).append('\n');
        for (String name : stats.names()) {
            b.append("Result: ").append(name).append('\n');
        }
        DebugFiles.write(req.cwd(), object, req.config().debugDir(), stats.started(), "ccache-log",
                b.toString().getBytes(StandardCharsets.UTF_8));
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
