package cache.frontend.args;

import cache.compat.args.Language;
import cache.store.OutputKind;
import java.util.List;
import java.util.Map;

/**
 * A cacheable compile of one source file, with its arguments sorted by role.
 *
 * @param language the source's language
 * @param source the source path as the user spelled it
 * @param outputs every file the compile writes, by kind, as paths relative to the cwd or
 *     absolute (the object is always present)
 * @param compileArgs the arguments to run the real compile with (the user's, response files
 *     expanded)
 * @param preprocessorArgs the arguments that make the compiler write the preprocessed source
 *     to stdout and nothing else (no object, no dependency file)
 * @param keyArgs the arguments that go into the key in preprocessor mode: everything that
 *     can change an output except what the preprocessed text already reflects
 * @param directKeyArgs the arguments that go into the direct-mode key: {@code keyArgs} and the
 *     preprocessor-only options, whose effect direct mode cannot see in a preprocessed text;
 *     never the names of outputs ({@code -o}, {@code -MF}) unless an output's contents name
 *     them (then {@code keyArgs} holds the object path), so one manifest serves every object
 *     name a build gives the same compile, as in ccache
 * @param hashCwd whether outputs embed the working directory (debug info, coverage)
 * @param directModeAllowed false when an option hides preprocessor input from direct mode
 * @param colorChosen whether the user chose diagnostics colours explicitly
 * @param hashedFiles files besides the source whose contents change the result (specs
 *     files, sanitizer lists), relative to the cwd or absolute
 */
public record Invocation(
        Language language,
        String source,
        Map<OutputKind, String> outputs,
        List<String> compileArgs,
        List<String> preprocessorArgs,
        List<String> keyArgs,
        List<String> directKeyArgs,
        boolean hashCwd,
        boolean directModeAllowed,
        boolean colorChosen,
        List<String> hashedFiles)
        implements Analysis {

    public String object() {
        return outputs.get(OutputKind.OBJECT);
    }

    /** This invocation with the working directory left out of its keys ({@code hash_dir = false}). */
    public Invocation withoutCwdInKey() {
        return new Invocation(language, source, outputs, compileArgs, preprocessorArgs, keyArgs, directKeyArgs, false,
                directModeAllowed, colorChosen, hashedFiles);
    }
}
