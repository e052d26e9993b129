package cache.frontend.args;

import java.util.Arrays;
import java.util.Comparator;

/**
 * What the cache knows about gcc's and clang's options, as one sorted table (after ccache's
 * {@code compopt.cpp}). An option not in the table is treated as affecting compilation: it is
 * hashed into the key and passed through, so unknown new flags stay cacheable and never
 * break a compile. {@link OptionTableTest} pins the table's order and invariants.
 */
public final class OptionTable {

    /** The option can take its argument as the next word ({@code -I dir}). */
    public static final int TAKES_ARG = 1;
    /** The option can take its argument joined ({@code -Idir}, {@code --sysroot=dir}). */
    public static final int TAKES_CONCAT_ARG = 1 << 1;
    /** The argument is a path. */
    public static final int TAKES_PATH = 1 << 2;
    /** Only the preprocessor sees it: its effect is in the preprocessed output. */
    public static final int AFFECTS_CPP = 1 << 3;
    /** The call cannot be cached (side outputs we do not capture, or no object at all). */
    public static final int TOO_HARD = 1 << 4;
    /** Direct mode cannot be used (the preprocessor must run). */
    public static final int TOO_HARD_FOR_DIRECT = 1 << 5;
    /** Never send to a remote node (machine-dependent or needs local files). */
    public static final int LOCAL_ONLY = 1 << 6;
    /**
     * The joined argument names a file the compiler reads besides the preprocessed source
     * (a specs file, a sanitizer list): its contents go into the key.
     */
    public static final int HASH_FILE = 1 << 7;
    /**
     * Only the compile sees it, never the preprocessor run (ccache's {@code AFFECTS_COMP}): with
     * {@code run_second_cpp = false} it goes to the compile of the preprocessed text alone.
     */
    public static final int AFFECTS_COMP = 1 << 8;

    /** One row. */
    public record Option(String name, int flags) {
        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private static final int CPP_PATH = AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG | TAKES_PATH;

    /** Sorted by name (String order); {@link OptionTableTest} checks it. */
    static final Option[] TABLE = {
        new Option("--analyze", TOO_HARD),
        new Option("--compiler-bindir", AFFECTS_CPP | TAKES_ARG),
        new Option("--config", TAKES_ARG),
        new Option("--gcc-toolchain=", TAKES_CONCAT_ARG | TAKES_PATH),
        new Option("--param", TAKES_ARG),
        new Option("--save-temps", TOO_HARD),
        new Option("--serialize-diagnostics", TAKES_ARG | TAKES_PATH | TOO_HARD),
        new Option("--sysroot", TAKES_ARG | TAKES_PATH),
        new Option("--sysroot=", TAKES_CONCAT_ARG | TAKES_PATH),
        new Option("-A", TAKES_ARG | TAKES_CONCAT_ARG), // an assertion, but ccache 4.7 passes it to both runs
        new Option("-B", TAKES_ARG | TAKES_CONCAT_ARG | TAKES_PATH | LOCAL_ONLY),
        new Option("-D", AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-E", TOO_HARD),
        new Option("-F", CPP_PATH),
        new Option("-G", TAKES_ARG),
        new Option("-I", CPP_PATH),
        new Option("-L", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-M", TOO_HARD),
        new Option("-MF", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-MJ", TAKES_ARG | TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-MM", TOO_HARD),
        new Option("-MQ", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-MT", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-P", TOO_HARD),
        new Option("-U", AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-V", TAKES_ARG),
        new Option("-Wa,", TAKES_CONCAT_ARG | AFFECTS_COMP),
        new Option("-Werror", AFFECTS_COMP),
        new Option("-Wl,", TAKES_CONCAT_ARG | AFFECTS_COMP),
        new Option("-Wno-error", AFFECTS_COMP),
        new Option("-Xassembler", TAKES_ARG | AFFECTS_COMP),
        new Option("-Xclang", TAKES_ARG),
        new Option("-Xlinker", TAKES_ARG | AFFECTS_COMP),
        new Option("-Xpreprocessor", AFFECTS_CPP | TOO_HARD_FOR_DIRECT | TAKES_ARG),
        new Option("-all_load", AFFECTS_COMP),
        new Option("-analyze", TOO_HARD),
        new Option("-arch", TAKES_ARG),
        new Option("-aux-info", TAKES_ARG | TOO_HARD),
        new Option("-b", TAKES_ARG),
        new Option("-bind_at_load", AFFECTS_COMP),
        new Option("-bundle", AFFECTS_COMP),
        new Option("-emit-pch", AFFECTS_COMP),
        new Option("-emit-pth", AFFECTS_COMP),
        new Option("-fauto-profile", TOO_HARD),
        new Option("-fauto-profile=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fbranch-probabilities", TOO_HARD),
        new Option("-fcallgraph-info", TOO_HARD),
        new Option("-fcallgraph-info=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fdump-", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fmodules", TOO_HARD),
        new Option("-fno-working-directory", AFFECTS_CPP),
        new Option("-fplugin=", TAKES_CONCAT_ARG | TAKES_PATH | TOO_HARD),
        new Option("-fprofile-instr-use", TOO_HARD),
        new Option("-fprofile-instr-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fprofile-sample-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fprofile-use", TOO_HARD),
        new Option("-fprofile-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-frepo", TOO_HARD),
        new Option("-fsanitize-blacklist=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-fsanitize-ignorelist=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-fsyntax-only", TOO_HARD),
        new Option("-ftime-trace", TOO_HARD),
        new Option("-ftime-trace=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fworking-directory", AFFECTS_CPP),
        new Option("-gtoggle", TOO_HARD),
        new Option("-idirafter", CPP_PATH),
        new Option("-iframework", CPP_PATH),
        new Option("-imacros", CPP_PATH | TOO_HARD_FOR_DIRECT),
        new Option("-imultilib", CPP_PATH),
        new Option("-include", CPP_PATH),
        new Option("-include-pch", CPP_PATH | TOO_HARD),
        new Option("-iprefix", CPP_PATH),
        new Option("-iquote", CPP_PATH),
        new Option("-isysroot", CPP_PATH),
        new Option("-isystem", CPP_PATH),
        new Option("-iwithprefix", CPP_PATH),
        new Option("-iwithprefixbefore", CPP_PATH),
        new Option("-l", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-nolibc", AFFECTS_COMP),
        new Option("-nostdinc", AFFECTS_CPP),
        new Option("-nostdinc++", AFFECTS_CPP),
        new Option("-pie", AFFECTS_COMP),
        new Option("-prebind", AFFECTS_COMP),
        new Option("-preload", AFFECTS_COMP),
        new Option("-rdynamic", AFFECTS_COMP),
        new Option("-remap", AFFECTS_CPP),
        new Option("-save-temps", TOO_HARD),
        new Option("-save-temps=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-specs=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-stdlib=", AFFECTS_CPP | TAKES_CONCAT_ARG),
        new Option("-target", TAKES_ARG),
        new Option("-trigraphs", AFFECTS_CPP),
        new Option("-u", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-undef", AFFECTS_CPP),
    };

    private static final Comparator<Option> BY_NAME = Comparator.comparing(Option::name);

    private OptionTable() {}

    /** The row for exactly this word, or {@code null}. */
    public static Option exact(String word) {
        int i = Arrays.binarySearch(TABLE, new Option(word, 0), BY_NAME);
        return i >= 0 ? TABLE[i] : null;
    }

    /**
     * The longest row that is a proper prefix of {@code word} and takes a joined argument
     * ({@code -Ifoo} → {@code -I}), or {@code null}.
     */
    public static Option joined(String word) {
        Option best = null;
        for (Option o : TABLE) {
            if (o.has(TAKES_CONCAT_ARG) && word.length() > o.name().length() && word.startsWith(o.name())
                    && (best == null || o.name().length() > best.name().length())) {
                best = o;
            }
        }
        return best;
    }
}
