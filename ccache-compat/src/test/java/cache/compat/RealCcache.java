package cache.compat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real ccache 4.7 for the comparison tests (*IT). A missing binary is a test
 * failure, not a skip: CI installs ccache, and a comparison that silently does not run proves
 * nothing.
 */
public final class RealCcache {

    public static final Path BINARY = Path.of("/usr/bin/ccache");

    public record Result(String stdout, String stderr, int exitCode) {}

    private RealCcache() {}

    /**
     * Runs {@code ccache args} with exactly {@code env} (nothing inherited) in {@code cwd}.
     * Goes through {@code env -i} because the order of variables matters to ccache
     * ({@code CCACHE_X} vs {@code CCACHE_NOX}) and ProcessBuilder's environment has none.
     */
    public static Result run(Map<String, String> env, Path cwd, List<String> args) throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(BINARY), BINARY + " is missing: apt-get install -y ccache");
        List<String> command = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(BINARY.toString());
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        Path out = Files.createTempFile("ccache-out", ".txt");
        Path err = Files.createTempFile("ccache-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ccache did not finish: " + command);
            }
            return new Result(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
                    p.exitValue());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The version line, to state in failure messages which ccache was compared. */
    public static String version() throws IOException, InterruptedException {
        return run(Map.of("PATH", "/usr/bin:/bin"), Path.of("/"), List.of("--version")).stdout().lines().findFirst().orElse("");
    }
}
