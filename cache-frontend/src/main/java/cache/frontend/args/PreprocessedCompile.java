package cache.frontend.args;

import cache.compat.args.Language;
import cache.compat.args.OptionTable;
import cache.compat.config.CompilerType;
import cache.store.OutputKind;
import java.util.ArrayList;
import java.util.List;

/**
 * How a miss compiles the preprocessed text instead of the source ({@code run_second_cpp =
 * false}), with the arguments split the way ccache 4.7's {@code process_args} splits them, so
 * that the preprocessor run and the compile are the very commands ccache runs and their
 * outputs are the same bytes:
 *
 * <ul>
 *   <li>the preprocessor run gets the common arguments, the preprocessor-only ones ({@code -D},
 *       {@code -I}, {@code -include}, {@code -Wp,…}, {@code -finput-charset=}, the language given
 *       with {@code -x}) and the dependency options; ccache adds {@code -MF <object>.d} when the
 *       call names no dependency file and {@code -MQ <object>} when it names no target, because
 *       that run writes to a temporary file and would otherwise name both after it;
 *   <li>the compile gets the common arguments, the colour options of the compiler's family,
 *       the compile-only ones ({@code -Werror}, {@code -Wa,…}, {@code -Xlinker …}), {@code -x}
 *       with the preprocessed language when the call named a language, and {@code -c}; never a
 *       preprocessor-only or dependency option.
 * </ul>
 *
 * <p>The caller adds the colour option, {@code -E -o <temporary file>} and the source to the
 * first, {@code -o <object>} and the temporary file to the second. Where ccache itself compiles
 * the source ({@code -g3}: line numbers of macros would be wrong), so does {@link #plan}; where
 * this class does not reproduce ccache's handling it also falls back to compiling the source,
 * with the reason in {@link Plan#sourceReason()}.
 */
public final class PreprocessedCompile {

    /**
     * The two commands' arguments, or when {@link #sourceReason} is set, the reason the source is
     * compiled as with {@code run_second_cpp = true} (both lists then empty).
     *
     * @param extension the temporary file's extension, without the dot ({@code cpp_extension})
     */
    public record Plan(List<String> preprocessorArgs, List<String> compileArgs, String extension,
            String sourceReason) {

        public boolean preprocessed() {
            return sourceReason == null;
        }
    }

    private PreprocessedCompile() {}

    /** The extension of the preprocessed temporary file: {@code cpp_extension}, else the language's. */
    public static String extension(Language language, String configured) {
        return configured.isEmpty() ? language.preprocessedExtension() : configured;
    }

    /**
     * @param inv the analysed call (arguments after base_dir)
     * @param verbatim whether the call used {@code --ccache-skip} (its words' roles are unknown
     *     here); {@link Invocation#verbatim()} counts too
     * @param type the compiler's family, for the colour options
     * @param cppExtension the configured {@code cpp_extension}, or empty
     */
    public static Plan plan(Invocation inv, boolean verbatim, CompilerType type, String cppExtension) {
        String ext = extension(inv.language(), cppExtension);
        if (inv.language().isPreprocessed()) {
            return source(ext, "the source is already preprocessed");
        }
        if (verbatim || inv.verbatim()) {
            return source(ext, "--ccache-skip");
        }
        Groups g = new Groups();
        for (Argument a : inv.arguments()) {
            String why = g.take(a, type);
            if (why != null) {
                return source(ext, why);
            }
        }
        if (g.debugLevel3) {
            return source(ext, "debug info level 3 (as ccache: line numbers of macros)");
        }
        if (g.mf && g.wpDeps) {
            return source(ext, "-Wp,-M[M]D with -MF");
        }
        String depFile = inv.outputs().get(OutputKind.DEPENDENCY);
        if (depFile != null) {
            if (!g.depFileNamed) {
                g.dep.add("-MF");
                g.dep.add(depFile);
            }
            if (!g.targetNamed) {
                g.dep.add("-MQ");
                g.dep.add(inv.object());
            }
        }
        if (g.inputCharset != null) {
            g.cpp.add(g.inputCharset);
        }
        List<String> compile = new ArrayList<>(g.common);
        compile.addAll(g.colourOnly);
        compile.addAll(g.compileOnly);
        if (g.language != null) {
            g.cpp.add("-x");
            g.cpp.add(g.language);
            compile.add("-x");
            compile.add(Language.forGccName(g.language).preprocessedForm().gccName());
        }
        if (g.compile) {
            compile.add("-c");
        }
        List<String> cpp = new ArrayList<>(g.common);
        cpp.addAll(g.cpp);
        cpp.addAll(g.dep);
        return new Plan(List.copyOf(cpp), List.copyOf(compile), ext, null);
    }

    private static Plan source(String ext, String why) {
        return new Plan(List.of(), List.of(), ext, why);
    }

    /** Options clang takes through {@code -Xclang} whose split ccache does (and this class does not) handle. */
    private static final List<String> CLANG_PCH = List.of("-emit-pch", "-emit-pth", "-include-pch", "-include-pth",
            "-fno-pch-timestamp");

    /**
     * Why the compile of the preprocessed text would not be the compile of the source with
     * {@code a} (the split of a {@link OptionTable#SOURCE_ONLY} option, clang's precompiled
     * headers), or {@code null}.
     */
    static String notReproduced(Argument a) {
        if (a.has(OptionTable.SOURCE_ONLY)) {
            return a.word() + " (not reproduced with run_second_cpp = false)";
        }
        if (a.word().equals("-Xclang") && a.words().size() == 2 && CLANG_PCH.contains(a.words().get(1))) {
            return "-Xclang " + a.words().get(1) + " (not reproduced with run_second_cpp = false)";
        }
        return null;
    }

    /**
     * Whether the last {@code -g} option that sets a level sets level 3 ({@code -gdwarf-N} and
     * {@code -gz…} set none), given whether level 3 was on before it.
     */
    static boolean debugLevel3(String g, boolean before) {
        if (g.startsWith("-gdwarf") || g.startsWith("-gz")) {
            return before;
        }
        char last = g.charAt(g.length() - 1);
        return last == '0' ? false : last == '3' ? true : before;
    }

    /** The arguments of one call sorted into ccache's argument groups, by their roles. */
    private static final class Groups {
        final List<String> common = new ArrayList<>();
        final List<String> cpp = new ArrayList<>();
        final List<String> dep = new ArrayList<>();
        final List<String> compileOnly = new ArrayList<>();
        final List<String> colourOnly = new ArrayList<>();
        String language;
        String inputCharset;
        boolean inputSeen;
        boolean compile;
        boolean debugLevel3;
        boolean mf;
        boolean wpDeps;
        boolean depFileNamed;
        boolean targetNamed;

        /** Sorts one argument; returns why the source must be compiled instead, or null. */
        String take(Argument arg, CompilerType type) {
            String why = notReproduced(arg);
            if (why != null) {
                return why;
            }
            String a = arg.word();
            switch (arg.role()) {
                case INPUT -> inputSeen = true;
                case OUTPUT -> { }
                case COMPILE_ONLY -> compileOnly.addAll(arg.words());
                case MODE -> {
                    if (a.equals("-c")) {
                        compile = true;
                    } else {
                        common.add(a); // -S: both runs, as in ccache
                    }
                }
                case LANGUAGE -> {
                    if (arg.words().size() == 1 && a.length() >= 3 && !Character.isLowerCase(a.charAt(2))) {
                        common.add(a); // ccache reads -xCODE as an Intel compiler option, not a language
                    } else if (!inputSeen) {
                        String lang = arg.languageName();
                        language = lang.equals("none") ? null : lang;
                    }
                }
                case DEBUG -> {
                    common.add(a);
                    debugLevel3 = debugLevel3(a, debugLevel3);
                }
                case DEPENDENCY -> dependency(arg);
                case PREPROCESSOR -> {
                    if (a.startsWith("-finput-charset=")) {
                        inputCharset = a; // ccache passes the last one, after the other preprocessor options
                    } else {
                        cpp.addAll(arg.words());
                    }
                }
                case COLOUR -> (colourOnly(arg.words(), type) ? colourOnly : common).addAll(arg.words());
                case COMMON, VERBATIM -> common.addAll(arg.words());
            }
            return null;
        }

        private void dependency(Argument arg) {
            String a = arg.word();
            if (a.startsWith("-MF")) {
                mf = true;
                depFileNamed = true;
            } else if (a.startsWith("-MQ") || a.startsWith("-MT")) {
                targetNamed = true;
            } else if (a.startsWith("-Wp,-MD,") || a.startsWith("-Wp,-MMD,")) {
                wpDeps = true;
                depFileNamed = true;
            } // -Wp,-MP and -Wp,-M[FQT],x name, as in ccache, neither the file nor the target for the -MF/-MQ it adds
            dep.addAll(arg.words());
        }
    }

    /** Whether the colour option goes to the compile only: ccache recognises only the family's own there. */
    static boolean colourOnly(List<String> words, CompilerType type) {
        String a = words.get(0);
        if (type == CompilerType.GCC) {
            return words.size() == 1 && a.matches("-fdiagnostics-color(=always|=never|=auto)?|-fno-diagnostics-color");
        }
        if (type == CompilerType.CLANG) {
            return words.size() == 2 ? a.equals("-Xclang") && words.get(1).equals("-fcolor-diagnostics")
                    : a.equals("-fcolor-diagnostics") || a.equals("-fno-color-diagnostics");
        }
        return false;
    }
}
