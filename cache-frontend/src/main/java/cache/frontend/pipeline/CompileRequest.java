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
 * @param clientClock the kernel's coarse real-time clock (the one that stamps files) as the client
 *     read it before sending the call, epoch nanoseconds; 0: not known
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
        long clientPid,
        long clientClock) {

    /** A call whose client process and clock are not known. */
    public CompileRequest(String compilerName, Path compiler, List<String> args, Path cwd, Map<String, String> env,
            int umask, boolean stderrIsTerminal, Config config) {
        this(compilerName, compiler, args, cwd, env, umask, stderrIsTerminal, config, 0, 0);
    }

    /** A call whose client's clock is not known. */
    public CompileRequest(String compilerName, Path compiler, List<String> args, Path cwd, Map<String, String> env,
            int umask, boolean stderrIsTerminal, Config config, long clientPid) {
        this(compilerName, compiler, args, cwd, env, umask, stderrIsTerminal, config, clientPid, 0);
    }
}
