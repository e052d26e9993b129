package cache.frontend.pipeline;

import cache.frontend.args.PreprocessedCompile;
import java.nio.file.Path;

/**
 * How a miss runs the compiler.
 *
 * @param colourOption the family's option for coloured diagnostics, passed to every compile
 *     (whatever the caller chose, as ccache does: a result serves every choice), or null when it
 *     has none
 * @param stripsColours whether the caller's stderr gets the diagnostics with their ANSI colour
 *     sequences taken out ({@link cache.frontend.replay.DiagnosticsColours}): the compile was
 *     coloured and the caller does not want colours
 * @param plan with {@code run_second_cpp = false}: how the preprocessed text is compiled (or
 *     why the source is, see {@link PreprocessedCompile.Plan#sourceReason()}); null otherwise
 * @param preprocessedFile the preprocessor's output once it ran for this call, else null
 * @param cppStderr what that preprocessor run printed; put before the compile's own stderr
 *     when the preprocessed text is compiled, as ccache does
 */
record Compilation(String colourOption, boolean stripsColours, PreprocessedCompile.Plan plan,
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
        return colourOption;
    }

    Compilation withPreprocessed(Path file, byte[] stderr) {
        return new Compilation(colourOption, stripsColours, plan, file, stderr);
    }

    /** This compilation of the source itself (depend mode, read-only direct mode). */
    Compilation ofSource() {
        return new Compilation(colourOption, stripsColours, plan, null, null);
    }
}
