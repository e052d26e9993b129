package cache.frontend.args;

import cache.compat.args.Language;
import cache.store.OutputKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cacheable compile of one source file, its arguments recorded once with their roles; the
 * command lines are projections of the roles ({@link #preprocessorArgs()}, {@link #compileArgs()},
 * {@link PreprocessedCompile#plan}, {@link #remoteCompile()}).
 *
 * @param language the source's language
 * @param source the source path as the user spelled it
 * @param outputs every file the compile writes, by kind, as paths relative to the cwd or
 *     absolute (the object is present unless the compile writes none: {@code -fsyntax-only})
 * @param arguments every argument of the call (response files expanded, {@code --ccache-skip}
 *     dropped) with its role, in order
 * @param compileArgs the arguments to run the real compile with: the words of {@code arguments},
 *     less what {@code ignore_options} took out for the key ({@link #withKeyArgs})
 * @param keyArgs the arguments that go into the key in preprocessor mode: everything that
 *     can change an output except what the preprocessed text already reflects
 * @param directKeyArgs the arguments that go into the direct-mode key: {@code keyArgs} and the
 *     preprocessor-only options, whose effect direct mode cannot see in a preprocessed text;
 *     never the names of outputs ({@code -o}, {@code -MF}) unless an output's contents name
 *     them (then {@code keyArgs} holds the object path), so one manifest serves every object
 *     name a build gives the same compile, as in ccache
 * @param hashCwd whether outputs embed the working directory (debug info, coverage)
 * @param directModeAllowed false when an option hides preprocessor input from direct mode
 * @param colour the caller's choice of diagnostics colours; its options are in no key (a miss
 *     always compiles with colours, a replay strips them unless the caller wants them)
 * @param hashedFiles files besides the source whose contents change the result (specs
 *     files, sanitizer lists), relative to the cwd or absolute
 * @param verbatim whether the call used {@code --ccache-skip}: some words' roles are unknown
 *     ({@link Role#VERBATIM})
 * @param objectName the object's path as the command line names it, also when the compile
 *     writes none (debug files are named after it, as in ccache)
 * @param dependencyTargets the dependency rule's targets a hit's stored {@code .d} is given
 *     ({@code cache.frontend.replay.DependencyTargets}), as the compiler writes them for the
 *     command as typed (with {@code base_dir}, the typed object, not the relative one); null when
 *     the key fixes them (the object path or the {@code -MT}/{@code -MQ} values are keyed)
 */
public record Invocation(
        Language language,
        String source,
        Map<OutputKind, String> outputs,
        List<Argument> arguments,
        List<String> compileArgs,
        List<String> keyArgs,
        List<String> directKeyArgs,
        boolean hashCwd,
        boolean directModeAllowed,
        DiagnosticsColour colour,
        List<String> hashedFiles,
        boolean verbatim,
        String objectName,
        List<String> dependencyTargets)
        implements Analysis {

    /** The object's path as the command line names it, whether or not the compile writes it. */
    public String object() {
        return objectName;
    }

    /**
     * The arguments that make the compiler write the preprocessed source to stdout and nothing
     * else (no object, no dependency file): every argument but {@link Role#MODE},
     * {@link Role#OUTPUT}, {@link Role#DEPENDENCY} and {@link Role#COLOUR} ones, {@code -x} as
     * two words, then {@code -E}.
     */
    public List<String> preprocessorArgs() {
        List<String> out = new ArrayList<>(compileArgs.size() + 1);
        for (Argument a : arguments) {
            if (a.option() != null && a.option().name().equals("-P")) {
                continue; // -P, -Wp,-P: the compile's own; the hashed text keeps its line markers (ccache)
            }
            switch (a.role()) {
                case MODE, OUTPUT, DEPENDENCY, COLOUR -> { } // colours: the compile's only, as in ccache
                case LANGUAGE -> {
                    out.add("-x");
                    out.add(a.languageName());
                }
                default -> out.addAll(a.words());
            }
        }
        out.add("-E");
        return List.copyOf(out);
    }

    /** The words of the colour options ({@link Role#COLOUR}), in order. */
    public List<String> colourArgs() {
        List<String> out = new ArrayList<>();
        for (Argument a : arguments) {
            if (a.role() == Role.COLOUR) {
                out.addAll(a.words());
            }
        }
        return out;
    }

    /**
     * Whether the dependency file leaves out system headers ({@code -MMD}, {@code -Wp,-MMD,file}),
     * so it cannot stand for the preprocessor's input (depend mode).
     */
    public boolean dependenciesOmitSystemHeaders() {
        for (Argument a : arguments) {
            if ((a.role() == Role.DEPENDENCY || a.role() == Role.VERBATIM)
                    && (a.word().equals("-MMD") || a.word().startsWith("-Wp,-MMD,"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The input file as the command line the analyzer was given names it (the source word;
     * with {@code base_dir} that command line is the rewritten one), for {@code stats_log}.
     */
    public String inputFile() {
        for (Argument a : arguments) {
            if (a.role() == Role.INPUT) {
                return a.word();
            }
        }
        return source;
    }

    /**
     * The headers the preprocessor reads first because the command line says so ({@code -include
     * X}, {@code -includeX}, {@code --include X}, {@code --include=X}), as spelled.
     */
    public List<String> forcedIncludes() {
        List<String> args = preprocessorArgs();
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String file = a.equals("-include") || a.equals("--include") ? (i + 1 < args.size() ? args.get(i + 1) : null)
                    : a.startsWith("--include=") ? a.substring("--include=".length())
                    : a.startsWith("-include") && !a.startsWith("-include-") ? a.substring("-include".length()) : null;
            if (file != null && !file.isEmpty()) {
                out.add(file);
            }
        }
        return out;
    }

    /** What a remote node would run to compile this call's preprocessed text, or why it must not. */
    public RemoteCompile remoteCompile() {
        return RemoteCompile.of(this);
    }

    /** This invocation with the working directory left out of its keys ({@code hash_dir = false}). */
    public Invocation withoutCwdInKey() {
        return new Invocation(language, source, outputs, arguments, compileArgs, keyArgs, directKeyArgs, false,
                directModeAllowed, colour, hashedFiles, verbatim, objectName,
                dependencyTargets);
    }

    /**
     * This invocation with other compile and key arguments ({@code ignore_options}); the roles,
     * and so the other projections, stay those of the call as made.
     */
    public Invocation withKeyArgs(List<String> compileArgs, List<String> keyArgs, List<String> directKeyArgs) {
        return new Invocation(language, source, outputs, arguments, compileArgs, keyArgs, directKeyArgs, hashCwd,
                directModeAllowed, colour, hashedFiles, verbatim, objectName,
                dependencyTargets);
    }
}
