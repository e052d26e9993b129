package cache.frontend.dispatch;

import cache.compat.config.Config;
import cache.frontend.args.Invocation;
import cache.frontend.key.CompilerIdentity;
import cache.hashing.Digest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One compile of a miss, as every builder sees it.
 *
 * @param key the result's key, or null when the call stores nothing under a key of its own yet
 *     (depend mode keys the result by the dependency file it writes; read-only direct mode)
 * @param compiler who compiles (the caller's real compiler)
 * @param inv the call's arguments by role: language, source, outputs, compile arguments
 * @param preprocessedFile the preprocessed text this compile runs on here, or null when it
 *     compiles the source ({@code run_second_cpp}, depend mode)
 * @param preprocessedText the call's preprocessed text (what its key hashed), or null when the
 *     call has none (depend mode, read-only direct mode): a remote builder compiles this
 * @param colour the option that colours diagnostics, when the call passes one, else null
 * @param localCommand the command that compiles it on this machine, {@code prefix_command} and
 *     the colour option included; its output names are the caller's
 * @param umask the caller's umask, for the outputs written
 * @param config the call's configuration
 * @param clientPid the client process waiting for the compile (0: not known), which monitors show
 */
public record BuildJob(Digest key, CompilerIdentity compiler, Invocation inv, Path preprocessedFile,
        byte[] preprocessedText, String colour, List<String> localCommand, Path cwd, Map<String, String> env,
        int umask, Config config, long clientPid) {

    /** A job whose client process is not known. */
    public BuildJob(Digest key, CompilerIdentity compiler, Invocation inv, Path preprocessedFile,
            byte[] preprocessedText, String colour, List<String> localCommand, Path cwd, Map<String, String> env,
            int umask, Config config) {
        this(key, compiler, inv, preprocessedFile, preprocessedText, colour, localCommand, cwd, env, umask, config, 0);
    }

    /** Whether this compile runs on the preprocessed text (then its diagnostics follow the preprocessor's). */
    public boolean compilesPreprocessed() {
        return preprocessedFile != null;
    }
}
