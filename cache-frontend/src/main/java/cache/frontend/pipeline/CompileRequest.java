package cache.frontend.pipeline;

import cache.compat.config.Config;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One compiler call as the native client saw it.
 *
 * @param compilerName the compiler as the user spelled it ({@code gcc}, {@code /usr/bin/cc})
 * @param compiler the real compiler the client resolved (absolute, never the client itself)
 * @param args the arguments after the compiler
 * @param config the ccache configuration this call sees (its environment, its config files)
 */
public record CompileRequest(
        String compilerName,
        Path compiler,
        List<String> args,
        Path cwd,
        Map<String, String> env,
        int umask,
        boolean stderrIsTerminal,
        Config config) {}
