package cache.compat.args;

import static cache.compat.args.NodeVerdict.CLIENT_FILE;
import static cache.compat.args.NodeVerdict.INCLUDE_DIR;
import static cache.compat.args.NodeVerdict.LOADS_CODE;
import static cache.compat.args.NodeVerdict.NOT_HERE;
import static cache.compat.args.NodeVerdict.OUTPUT;
import static cache.compat.args.NodeVerdict.PATH_MAP;
import static cache.compat.args.NodeVerdict.VALUE;

import java.util.Arrays;
import java.util.Comparator;

/**
 * What the cache knows about gcc's and clang's options, as one sorted table (after ccache's
 * {@code compopt.cpp}), read by the client's argument analysis and by a remote node alike, so
 * the two never disagree about what an option is.
 *
 * <p>The client's columns are the flags. An option not in the table is treated as affecting
 * compilation: it is hashed into the key and passed through, so unknown new flags stay
 * cacheable and never break a compile. A row with no flags therefore behaves, on the client,
 * exactly as an unknown option; such rows exist for the node's column.
 *
 * <p>The node's column ({@link Option#node()}) says what a node does with the option; with
 * {@link #PREFIX} it covers every argument that starts with the row's name ({@code -fplugin}
 * covers {@code -fplugin-arg-…}), with {@link #EXACT} only the name itself. An argument no
 * row's node column covers is allowed by a node when it names no path ({@link NodeArguments}).
 *
 * <p>{@code OptionTableTest} pins the table's order and invariants.
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
    /**
     * With {@code run_second_cpp = false} a call with this option compiles its source, not the
     * preprocessed text: ccache's handling of it there is not reproduced (or, as for
     * {@code -fdirectives-only}, the preprocessed text is not what the compile would see).
     */
    public static final int SOURCE_ONLY = 1 << 9;

    /** The node column covers every argument starting with the row's name. */
    public static final boolean PREFIX = true;
    /** The node column covers the row's name only. */
    public static final boolean EXACT = false;

    /**
     * One row.
     *
     * @param node what a remote node does with the option, or {@code null} when the row says
     *     nothing to a node
     * @param nodePrefix whether {@code node} covers every argument starting with {@code name}
     */
    public record Option(String name, int flags, NodeVerdict node, boolean nodePrefix) {

        /** A row for the client alone. */
        public Option(String name, int flags) {
            this(name, flags, null, false);
        }

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private static final int CPP_PATH = AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG | TAKES_PATH;

    /** Sorted by name (String order); {@code OptionTableTest} checks it. */
    static final Option[] TABLE = {
        new Option("--", SOURCE_ONLY),
        new Option("--analyze", TOO_HARD),
        new Option("--compiler-bindir", AFFECTS_CPP | TAKES_ARG),
        new Option("--config", TAKES_ARG, LOADS_CODE, PREFIX),
        new Option("--coverage", 0, OUTPUT, PREFIX),
        new Option("--gcc-install-dir", 0, LOADS_CODE, PREFIX),
        new Option("--gcc-toolchain", 0, LOADS_CODE, PREFIX),
        new Option("--gcc-toolchain=", TAKES_CONCAT_ARG | TAKES_PATH),
        new Option("--ld-path", 0, LOADS_CODE, PREFIX),
        new Option("--param", TAKES_ARG, VALUE, EXACT),
        new Option("--save-temps", TOO_HARD),
        new Option("--serialize-diagnostics", TAKES_ARG | TAKES_PATH | TOO_HARD),
        new Option("--sysroot", TAKES_ARG | TAKES_PATH, CLIENT_FILE, PREFIX),
        new Option("--sysroot=", TAKES_CONCAT_ARG | TAKES_PATH),
        new Option("-A", TAKES_ARG | TAKES_CONCAT_ARG), // an assertion, but ccache 4.7 passes it to both runs
        new Option("-B", TAKES_ARG | TAKES_CONCAT_ARG | TAKES_PATH | LOCAL_ONLY, LOADS_CODE, PREFIX),
        new Option("-D", AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG, VALUE, PREFIX),
        new Option("-E", TOO_HARD, NOT_HERE, PREFIX),
        new Option("-F", CPP_PATH),
        new Option("-G", TAKES_ARG),
        new Option("-I", CPP_PATH, INCLUDE_DIR, PREFIX),
        new Option("-L", TAKES_ARG | TAKES_CONCAT_ARG, NOT_HERE, PREFIX),
        new Option("-M", TOO_HARD, OUTPUT, PREFIX),
        new Option("-MF", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-MG", SOURCE_ONLY),
        new Option("-MJ", TAKES_ARG | TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-MM", TOO_HARD),
        new Option("-MQ", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-MT", TAKES_ARG | TAKES_CONCAT_ARG),
        // Kept out of the preprocessor run (its line markers are the key's input), as ccache does.
        new Option("-P", AFFECTS_COMP | SOURCE_ONLY),
        new Option("-U", AFFECTS_CPP | TAKES_ARG | TAKES_CONCAT_ARG, VALUE, PREFIX),
        new Option("-V", TAKES_ARG),
        new Option("-Wa,", TAKES_CONCAT_ARG | AFFECTS_COMP),
        new Option("-Werror", AFFECTS_COMP),
        new Option("-Wl,", TAKES_CONCAT_ARG | AFFECTS_COMP, NOT_HERE, PREFIX),
        new Option("-Wno-error", AFFECTS_COMP),
        new Option("-Wp,", 0, CLIENT_FILE, PREFIX),
        new Option("-X", 0, LOADS_CODE, PREFIX),
        new Option("-Xarch_", TAKES_CONCAT_ARG | SOURCE_ONLY),
        new Option("-Xassembler", TAKES_ARG | AFFECTS_COMP),
        new Option("-Xclang", TAKES_ARG),
        new Option("-Xlinker", TAKES_ARG | AFFECTS_COMP),
        new Option("-Xpreprocessor", AFFECTS_CPP | TOO_HARD_FOR_DIRECT | TAKES_ARG),
        new Option("-all_load", AFFECTS_COMP),
        new Option("-analyze", TOO_HARD),
        new Option("-arch", TAKES_ARG | SOURCE_ONLY),
        new Option("-aux-info", TAKES_ARG | TOO_HARD, OUTPUT, PREFIX),
        new Option("-b", TAKES_ARG),
        new Option("-bind_at_load", AFFECTS_COMP),
        new Option("-bundle", AFFECTS_COMP),
        new Option("-ccc-", 0, LOADS_CODE, PREFIX),
        new Option("-dumpbase", 0, OUTPUT, PREFIX),
        new Option("-dumpdir", 0, OUTPUT, PREFIX),
        new Option("-emit-pch", AFFECTS_COMP),
        new Option("-emit-pth", AFFECTS_COMP),
        new Option("-fauto-profile", TOO_HARD, CLIENT_FILE, PREFIX),
        new Option("-fauto-profile=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fbranch-probabilities", TOO_HARD),
        new Option("-fcallgraph-info", TOO_HARD, OUTPUT, PREFIX),
        new Option("-fcallgraph-info=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fcoverage-compilation-dir=", 0, PATH_MAP, PREFIX),
        new Option("-fcoverage-prefix-map=", 0, PATH_MAP, PREFIX),
        new Option("-fcrash-diagnostics-dir", 0, CLIENT_FILE, PREFIX),
        new Option("-fdebug-compilation-dir", 0, PATH_MAP, PREFIX),
        new Option("-fdebug-prefix-map=", 0, PATH_MAP, PREFIX),
        new Option("-fdiagnostics-add-output", 0, CLIENT_FILE, PREFIX),
        new Option("-fdiagnostics-set-output", 0, CLIENT_FILE, PREFIX),
        new Option("-fdirectives-only", SOURCE_ONLY),
        new Option("-fdump-", TAKES_CONCAT_ARG | TOO_HARD, OUTPUT, PREFIX),
        new Option("-ffile-compilation-dir=", 0, PATH_MAP, PREFIX),
        new Option("-ffile-prefix-map=", 0, PATH_MAP, PREFIX),
        new Option("-fmacro-prefix-map=", 0, PATH_MAP, PREFIX),
        new Option("-fmodule-file", 0, CLIENT_FILE, PREFIX),
        new Option("-fmodule-map-file", 0, CLIENT_FILE, PREFIX),
        new Option("-fmodules", TOO_HARD, CLIENT_FILE, PREFIX),
        new Option("-fno-working-directory", AFFECTS_CPP),
        new Option("-fopt-info", 0, OUTPUT, PREFIX),
        new Option("-fpass-plugin", 0, LOADS_CODE, PREFIX),
        new Option("-fpch-preprocess", SOURCE_ONLY),
        new Option("-fplugin", 0, LOADS_CODE, PREFIX),
        new Option("-fplugin=", TAKES_CONCAT_ARG | TAKES_PATH | TOO_HARD | LOCAL_ONLY),
        new Option("-fprebuilt-module-path", 0, CLIENT_FILE, PREFIX),
        new Option("-fprofile-abs-path", SOURCE_ONLY),
        new Option("-fprofile-arcs", 0, OUTPUT, PREFIX),
        new Option("-fprofile-generate", 0, OUTPUT, PREFIX),
        new Option("-fprofile-instr-use", TOO_HARD, CLIENT_FILE, PREFIX),
        new Option("-fprofile-instr-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fprofile-list", 0, CLIENT_FILE, PREFIX),
        new Option("-fprofile-prefix-map=", 0, PATH_MAP, PREFIX),
        new Option("-fprofile-sample-use", 0, CLIENT_FILE, PREFIX),
        new Option("-fprofile-sample-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fprofile-use", TOO_HARD, CLIENT_FILE, PREFIX),
        new Option("-fprofile-use=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-frepo", TOO_HARD),
        new Option("-frewrite-includes", SOURCE_ONLY),
        new Option("-fsanitize-blacklist", 0, CLIENT_FILE, PREFIX),
        new Option("-fsanitize-blacklist=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-fsanitize-coverage-allowlist", 0, CLIENT_FILE, PREFIX),
        new Option("-fsanitize-coverage-ignorelist", 0, CLIENT_FILE, PREFIX),
        new Option("-fsanitize-ignorelist", 0, CLIENT_FILE, PREFIX),
        new Option("-fsanitize-ignorelist=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-fsave-optimization-record", 0, OUTPUT, PREFIX),
        new Option("-fstack-usage", 0, OUTPUT, PREFIX),
        new Option("-fsyntax-only", AFFECTS_COMP),
        new Option("-ftest-coverage", 0, OUTPUT, PREFIX),
        new Option("-ftime-trace", TOO_HARD, OUTPUT, PREFIX),
        new Option("-ftime-trace=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-fuse-ld", 0, LOADS_CODE, PREFIX),
        new Option("-fworking-directory", AFFECTS_CPP),
        new Option("-gsplit-dwarf", 0, OUTPUT, PREFIX),
        new Option("-gtoggle", TOO_HARD),
        new Option("-idirafter", CPP_PATH, INCLUDE_DIR, EXACT),
        new Option("-iframework", CPP_PATH),
        new Option("-imacros", CPP_PATH | TOO_HARD_FOR_DIRECT, CLIENT_FILE, PREFIX),
        new Option("-imultiarch", 0, CLIENT_FILE, PREFIX),
        new Option("-imultilib", CPP_PATH, CLIENT_FILE, PREFIX),
        new Option("-include", CPP_PATH, CLIENT_FILE, PREFIX),
        new Option("-include-pch", CPP_PATH | TOO_HARD),
        new Option("-iplugindir", 0, LOADS_CODE, PREFIX),
        new Option("-iprefix", CPP_PATH, CLIENT_FILE, PREFIX),
        new Option("-iquote", CPP_PATH, INCLUDE_DIR, EXACT),
        new Option("-isysroot", CPP_PATH, CLIENT_FILE, EXACT),
        new Option("-isystem", CPP_PATH, INCLUDE_DIR, EXACT),
        new Option("-iwithprefix", CPP_PATH, CLIENT_FILE, PREFIX),
        new Option("-iwithprefixbefore", CPP_PATH),
        new Option("-l", TAKES_ARG | TAKES_CONCAT_ARG, NOT_HERE, PREFIX),
        new Option("-load", 0, LOADS_CODE, PREFIX),
        new Option("-march=native", LOCAL_ONLY),
        new Option("-mcpu=native", LOCAL_ONLY),
        new Option("-mllvm", 0, LOADS_CODE, PREFIX),
        new Option("-mtune=native", LOCAL_ONLY),
        new Option("-nolibc", AFFECTS_COMP),
        new Option("-nostdinc", AFFECTS_CPP),
        new Option("-nostdinc++", AFFECTS_CPP),
        new Option("-o", 0, OUTPUT, PREFIX),
        new Option("-pie", AFFECTS_COMP),
        new Option("-prebind", AFFECTS_COMP),
        new Option("-preload", AFFECTS_COMP),
        new Option("-rdynamic", AFFECTS_COMP),
        new Option("-remap", AFFECTS_CPP),
        new Option("-save-stats", 0, OUTPUT, PREFIX),
        new Option("-save-temps", TOO_HARD, OUTPUT, PREFIX),
        new Option("-save-temps=", TAKES_CONCAT_ARG | TOO_HARD),
        new Option("-specs", 0, LOADS_CODE, PREFIX),
        new Option("-specs=", TAKES_CONCAT_ARG | TAKES_PATH | HASH_FILE | LOCAL_ONLY),
        new Option("-stdlib=", AFFECTS_CPP | TAKES_CONCAT_ARG),
        new Option("-target", TAKES_ARG, VALUE, EXACT),
        new Option("-trigraphs", AFFECTS_CPP),
        new Option("-u", TAKES_ARG | TAKES_CONCAT_ARG),
        new Option("-undef", AFFECTS_CPP),
        new Option("-wrapper", 0, LOADS_CODE, PREFIX),
        new Option("-x", 0, NOT_HERE, PREFIX),
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

    /**
     * The row whose node column covers {@code arg}: an {@link #EXACT} row named {@code arg},
     * else the {@link #PREFIX} row with the longest name {@code arg} starts with, else {@code null}.
     */
    public static Option forNode(String arg) {
        Option best = null;
        for (Option o : TABLE) {
            if (o.node() == null) {
                continue;
            }
            if (!o.nodePrefix() && arg.equals(o.name())) {
                return o;
            }
            if (o.nodePrefix() && arg.startsWith(o.name())
                    && (best == null || o.name().length() > best.name().length())) {
                best = o;
            }
        }
        return best;
    }

    /** The rows, in order (a copy). */
    public static Option[] rows() {
        return TABLE.clone();
    }
}
