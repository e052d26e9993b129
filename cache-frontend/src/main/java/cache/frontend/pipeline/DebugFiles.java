package cache.frontend.pipeline;

import cache.compat.args.Language;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.logging.Logger;

/**
 * Where {@code debug} ({@code CCACHE_DEBUG}) writes a call's files, as ccache 4.7 names them:
 * {@code <object>.<time>.<suffix>} next to the object, or under {@code debug_dir} at the object's
 * absolute path; {@code <time>} is the call's start, so one call's files share it.
 */
final class DebugFiles {

    private static final Logger LOG = Logger.getLogger(DebugFiles.class.getName());
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss_SSSSSS");

    private DebugFiles() {}

    static void write(Path cwd, String object, String debugDir, long startedEpochNanos, String suffix, byte[] content) {
        Path abs = cwd.resolve(object).normalize();
        Path base = debugDir.isEmpty() ? abs : cwd.resolve(debugDir).resolve(abs.toString().substring(1));
        String stamp = STAMP.format(LocalDateTime.ofInstant(Instant.ofEpochSecond(0, startedEpochNanos),
                ZoneId.systemDefault()));
        Path out = base.resolveSibling(base.getFileName() + "." + stamp + "." + suffix);
        try {
            Files.createDirectories(out.getParent());
            Files.write(out, content);
        } catch (IOException | RuntimeException e) {
            LOG.warning("debug: cannot write " + out + ": " + e.getMessage());
        }
    }

    /**
     * The object a command line names, as ccache determines it even for a call it does not
     * cache (its log is named after it): the {@code -o} argument, else the last source file's
     * base name with {@code .o} ({@code .s} with {@code -S}); null when there is neither.
     */
    static String objectOf(List<String> args, Path cwd) {
        String source = null;
        boolean assemble = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-o") && i + 1 < args.size()) {
                return args.get(i + 1);
            } else if (a.startsWith("-o") && a.length() > 2) {
                return a.substring(2);
            } else if (a.equals("-S")) {
                assemble = true;
            } else if (!a.startsWith("-") && Language.forFile(a) != null && Files.isRegularFile(cwd.resolve(a))) {
                source = a;
            }
        }
        if (source == null) {
            return null;
        }
        String name = source.substring(source.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + (assemble ? ".s" : ".o");
    }
}
