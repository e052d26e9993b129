package cache.frontend.pipeline;

import cache.frontend.args.PreprocessedCompile;
import java.nio.file.Path;

/**
 * How a miss runs the compiler.
 *
 * @param colored whether diagnostics are coloured for a terminal (then {@code colourOption} is
 *     passed; it is in every key)
 * @param colourOption the family's option for coloured diagnostics, or null when it has none
 * @param plan with {@code run_second_cpp = false}: how the preprocessed text is compiled (or
 *     why the source is, see {@link PreprocessedCompile.Plan#sourceReason()}); null otherwise
 * @param preprocessedFile the preprocessor's output once it ran for this call, else null
 * @param cppStderr what that preprocessor run printed; put before the compile's own stderr
 *     when the preprocessed text is compiled, as ccache does
 */
record Compilation(boolean colored, String colourOption, PreprocessedCompile.Plan plan,
        Path preprocessedFile, byte[] cppStderr) {

    /** Whether a preprocessor-mode miss compiles the preprocessed text (its key says so). */
    boolean preprocessed() {
        return plan != null && plan.preprocessed();
    }

    /** Whether this compile runs on the preprocessed text, which exists by now. */
    boolean compilesPreprocessed() {
        return preprocessed() && preprocessedFile != null;
    }

    /** The colour option to pass, or null. */
    String colour() {
        return colored ? colourOption : null;
    }

    Compilation withPreprocessed(Path file, byte[] stderr) {
        return new Compilation(colored, colourOption, plan, file, stderr);
    }

    /** This compilation of the source itself (depend mode, read-only direct mode). */
    Compilation ofSource() {
        return new Compilation(colored, colourOption, plan, null, null);
    }
}
