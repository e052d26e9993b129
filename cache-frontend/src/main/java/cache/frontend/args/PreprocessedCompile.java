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
     * @param verbatim whether the call used {@code --ccache-skip} (its words' roles are unknown here)
     * @param type the compiler's family, for the colour options
     * @param cppExtension the configured {@code cpp_extension}, or empty
     */
    public static Plan plan(Invocation inv, boolean verbatim, CompilerType type, String cppExtension) {
        String ext = extension(inv.language(), cppExtension);
        if (inv.language().isPreprocessed()) {
            return source(ext, "the source is already preprocessed");
        }
        if (verbatim) {
            return source(ext, "--ccache-skip");
        }
        Walk w = new Walk();
        List<String> args = inv.compileArgs();
        for (int i = 0; i < args.size(); i++) {
            String why = w.take(args, i, inv.source(), type);
            if (why != null) {
                return source(ext, why);
            }
            i += w.consumed;
        }
        if (w.debugLevel3) {
            return source(ext, "debug info level 3 (as ccache: line numbers of macros)");
        }
        if (w.mf && w.wpDeps) {
            return source(ext, "-Wp,-M[M]D with -MF");
        }
        String depFile = inv.outputs().get(OutputKind.DEPENDENCY);
        if (depFile != null) {
            if (!w.depFileNamed) {
                w.dep.add("-MF");
                w.dep.add(depFile);
            }
            if (!w.targetNamed) {
                w.dep.add("-MQ");
                w.dep.add(inv.object());
            }
        }
        if (w.inputCharset != null) {
            w.cpp.add(w.inputCharset);
        }
        List<String> compile = new ArrayList<>(w.common);
        compile.addAll(w.colourOnly);
        compile.addAll(w.compileOnly);
        if (w.language != null) {
            w.cpp.add("-x");
            w.cpp.add(w.language);
            compile.add("-x");
            compile.add(Language.forGccName(w.language).preprocessedForm().gccName());
        }
        if (w.compile) {
            compile.add("-c");
        }
        List<String> cpp = new ArrayList<>(w.common);
        cpp.addAll(w.cpp);
        cpp.addAll(w.dep);
        return new Plan(List.copyOf(cpp), List.copyOf(compile), ext, null);
    }

    private static Plan source(String ext, String why) {
        return new Plan(List.of(), List.of(), ext, why);
    }

    /** The words of one call sorted into ccache's argument groups. */
    private static final class Walk {
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
        /** Words after the current one that it took as its argument. */
        int consumed;

        /** Sorts word {@code i} (and its argument); returns why the source must be compiled instead, or null. */
        String take(List<String> args, int i, String source, CompilerType type) {
            consumed = 0;
            String a = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            if (!a.startsWith("-") || a.equals("-")) {
                if (a.equals(source) && !inputSeen) {
                    inputSeen = true;
                } else {
                    common.add(a);
                }
                return null;
            }
            if (a.equals("--") || a.equals("-arch") || a.startsWith("-Xarch_") || a.equals("-MG")
                    || a.equals("-fdirectives-only") || a.equals("-frewrite-includes") || a.equals("-fpch-preprocess")
                    || a.equals("-fprofile-abs-path")) {
                return a + " (not reproduced with run_second_cpp = false)";
            }
            if (a.equals("-Xclang") && next != null && next.matches("-emit-pch|-emit-pth|-include-pch|-include-pth|-fno-pch-timestamp")) {
                return "-Xclang " + next + " (not reproduced with run_second_cpp = false)";
            }
            OptionTable.Option exact = OptionTable.exact(a);
            if (exact != null && exact.has(OptionTable.AFFECTS_COMP)) {
                compileOnly.add(a);
                if (exact.has(OptionTable.TAKES_ARG) && next != null) {
                    compileOnly.add(next);
                    consumed = 1;
                }
                return null;
            }
            OptionTable.Option joined = OptionTable.joined(a);
            if (exact == null && joined != null && joined.has(OptionTable.AFFECTS_COMP)) {
                compileOnly.add(a);
                return null;
            }
            if (a.equals("-c")) {
                compile = true;
                return null;
            }
            if (a.startsWith("-x") && !(a.length() >= 3 && !Character.isLowerCase(a.charAt(2)))) {
                String lang = a.length() == 2 ? next : a.substring(2);
                consumed = a.length() == 2 ? 1 : 0;
                if (!inputSeen && lang != null) {
                    language = lang.equals("none") ? null : lang;
                }
                return null;
            }
            if (a.equals("-o")) {
                consumed = 1;
                return null;
            }
            if (a.startsWith("-o")) {
                return null;
            }
            if (a.startsWith("-g")) {
                common.add(a);
                if (!a.startsWith("-gdwarf") && !a.startsWith("-gz")) {
                    char last = a.charAt(a.length() - 1);
                    if (last == '0') {
                        debugLevel3 = false;
                    } else if (last == '3') {
                        debugLevel3 = true;
                    }
                }
                return null;
            }
            if (a.equals("-MD") || a.equals("-MMD") || a.equals("-MP")) {
                dep.add(a);
                return null;
            }
            if (a.startsWith("-MF")) {
                mf = true;
                depFileNamed = true;
                dep.add(a);
                if (a.length() == 3 && next != null) {
                    dep.add(next);
                    consumed = 1;
                }
                return null;
            }
            if (a.startsWith("-MQ") || a.startsWith("-MT")) {
                targetNamed = true;
                dep.add(a);
                if (a.length() == 3 && next != null) {
                    dep.add(next);
                    consumed = 1;
                }
                return null;
            }
            if (a.startsWith("-Wp,")) {
                return preprocessorPassThrough(a);
            }
            if (a.startsWith("-finput-charset=")) {
                inputCharset = a;
                return null;
            }
            if (colourOption(a, next, type)) {
                return null;
            }
            if (exact != null && exact.has(OptionTable.TAKES_ARG) && next != null) {
                List<String> to = exact.has(OptionTable.AFFECTS_CPP) ? cpp : common;
                to.add(a);
                to.add(next);
                consumed = 1;
                return null;
            }
            boolean cppOnly = exact != null ? exact.has(OptionTable.AFFECTS_CPP)
                    : joined != null && joined.has(OptionTable.AFFECTS_CPP);
            (cppOnly ? cpp : common).add(a);
            return null;
        }

        private String preprocessorPassThrough(String a) {
            if ((a.startsWith("-Wp,-MD,") && a.indexOf(',', 8) < 0) || (a.startsWith("-Wp,-MMD,") && a.indexOf(',', 9) < 0)) {
                wpDeps = true;
                depFileNamed = true;
                dep.add(a);
            } else if (a.startsWith("-Wp,-D") && a.indexOf(',', 6) < 0) {
                cpp.add(a);
            } else if (a.equals("-Wp,-MP") || (a.length() > 8 && a.startsWith("-Wp,-M") && a.charAt(7) == ','
                    && "FQT".indexOf(a.charAt(6)) >= 0 && a.indexOf(',', 8) < 0)) {
                dep.add(a); // as in ccache, these name neither the file nor the target for the -MF/-MQ it adds
            } else {
                cpp.add(a);
            }
            return null;
        }

        /** The colour options ccache recognises for the family go to the compile only. */
        private boolean colourOption(String a, String next, CompilerType type) {
            if (type == CompilerType.GCC) {
                if (a.matches("-fdiagnostics-color(=always|=never|=auto)?|-fno-diagnostics-color")) {
                    colourOnly.add(a);
                    return true;
                }
            } else if (type == CompilerType.CLANG) {
                if (a.equals("-Xclang") && "-fcolor-diagnostics".equals(next)) {
                    colourOnly.add(a);
                    colourOnly.add(next);
                    consumed = 1;
                    return true;
                }
                if (a.equals("-fcolor-diagnostics") || a.equals("-fno-color-diagnostics")) {
                    colourOnly.add(a);
                    return true;
                }
            }
            return false;
        }
    }
}
