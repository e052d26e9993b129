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
 * @param clientPid the client process, which waits for the answer (0: not known); monitors show it
 */
public record CompileRequest(
        String compilerName,
        Path compiler,
        List<String> args,
        Path cwd,
        Map<String, String> env,
        int umask,
        boolean stderrIsTerminal,
        Config config,
        long clientPid) {

    /** A call whose client process is not known. */
    public CompileRequest(String compilerName, Path compiler, List<String> args, Path cwd, Map<String, String> env,
            int umask, boolean stderrIsTerminal, Config config) {
        this(compilerName, compiler, args, cwd, env, umask, stderrIsTerminal, config, 0);
    }
}
