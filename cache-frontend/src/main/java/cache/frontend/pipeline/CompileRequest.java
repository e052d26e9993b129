package cache.frontend.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One compiler call as the native client saw it.
 *
 * @param compilerName the compiler as the user spelled it ({@code gcc}, {@code /usr/bin/cc})
 * @param compiler the real compiler the client resolved (absolute, never the client itself)
 * @param args the arguments after the compiler
 */
public record CompileRequest(
        String compilerName,
        Path compiler,
        List<String> args,
        Path cwd,
        Map<String, String> env,
        int umask,
        boolean stderrIsTerminal) {}
