package cache.frontend.key;

import cache.frontend.args.Invocation;
import cache.hashing.Digest;
import java.util.List;
import java.util.Map;

/**
 * What every key of one call hashes besides its mode's own input: who compiles, the arguments
 * (as the key sees them: {@code hash_dir}, {@code ignore_options} applied), the environment,
 * the cwd when outputs embed it, files read whole (specs files, {@code
 * extra_files_to_hash}, {@code namespace}, the {@code compiler_check} result), and how a miss
 * compiles.
 *
 * @param preprocessedExtension with {@code run_second_cpp = false}, when a miss compiles the
 *     preprocessed text: the temporary file's extension (it chooses the language, and that
 *     compile's diagnostics differ from the source's); null when a miss compiles the source
 * @param explain whether the keys record their inputs as text ({@code debug})
 */
public record KeyInputs(CompilerIdentity compiler, Invocation inv, String cwd, Map<String, String> env,
        List<Digest> extraFiles, String preprocessedExtension, boolean explain) {

    /** These inputs for a miss that compiles the source (depend mode, whose key covers the compile). */
    public KeyInputs compilingSource() {
        return preprocessedExtension == null ? this
                : new KeyInputs(compiler, inv, cwd, env, extraFiles, null, explain);
    }

    /** The fields of a miss compiled from the preprocessed text, last in every key that has them. */
    void addCompileFields(cache.hashing.KeyBuilder key) {
        if (preprocessedExtension != null) {
            key.add("run_second_cpp", "false").add("cpp_extension", preprocessedExtension);
        }
    }
}
