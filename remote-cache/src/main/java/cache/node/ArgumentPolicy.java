package cache.node;

import cache.node.protocol.NodeProtocol.ErrorCode;
import java.util.List;

/**
 * Which compiler arguments a node runs. The node compiles one preprocessed input it writes
 * itself, in a private directory, into an output it names itself; anything else a client asks
 * for is refused. The table classifies options by what they would make the compiler do:
 *
 * <ul>
 *   <li>{@link Verdict#LOADS_CODE}: run or load code the client chooses (plugins, specs files,
 *       another tool directory, a wrapper, raw cc1/assembler/linker/LLVM options, config files);</li>
 *   <li>{@link Verdict#CLIENT_FILE}: read or write a file of the client's choosing (response
 *       files, -include, sysroots, profiles, sanitizer lists, dump and record files, modules);</li>
 *   <li>{@link Verdict#OUTPUT}: choose or add outputs (-o, -M*, -save-temps, dump bases,
 *       coverage notes, split DWARF, stack usage), which the node neither places nor returns;</li>
 *   <li>{@link Verdict#NOT_HERE}: options the request carries elsewhere or that make this no
 *       compile of one input (-x, -E, linker inputs);</li>
 *   <li>{@link Verdict#VALUE}: allowed, and the next argument is its value (-D X); only -D and
 *       -U values may contain {@code /};</li>
 *   <li>{@link Verdict#INCLUDE_DIR}: allowed only with a relative path without {@code ..}
 *       (pointless on preprocessed input, harmless in the private directory);</li>
 *   <li>{@link Verdict#PATH_MAP}: allowed, may hold paths: they only rewrite strings recorded in
 *       the output (-fdebug-prefix-map=, -fdebug-compilation-dir=).</li>
 * </ul>
 * Everything not in the table is allowed when it starts with {@code -} and names no path
 * (no {@code /}); a bare word is an input file and is refused. Entries are sorted by option;
 * {@code ArgumentPolicyTest} pins the order and the verdicts.
 */
public final class ArgumentPolicy {

    /** What an option is, as far as a node is concerned. */
    public enum Verdict {
        LOADS_CODE("loads code into the compiler"),
        CLIENT_FILE("reads or writes a file of the client's choosing"),
        OUTPUT("chooses or adds an output, which the node names itself"),
        NOT_HERE("is not accepted in a node compile's arguments"),
        VALUE(""),
        INCLUDE_DIR(""),
        PATH_MAP("");

        private final String why;

        Verdict(String why) {
            this.why = why;
        }

        boolean refused() {
            return !why.isEmpty();
        }
    }

    /** @param prefix whether the rule matches every argument starting with {@code option} */
    record Rule(String option, boolean prefix, Verdict verdict) {
    }

    private static Rule exact(String option, Verdict v) {
        return new Rule(option, false, v);
    }

    private static Rule prefix(String option, Verdict v) {
        return new Rule(option, true, v);
    }

    /** Sorted by option (String order); exact before prefix for the same spelling. */
    static final List<Rule> TABLE = List.of(
            prefix("--config", Verdict.LOADS_CODE),
            prefix("--coverage", Verdict.OUTPUT),
            prefix("--gcc-install-dir", Verdict.LOADS_CODE),
            prefix("--gcc-toolchain", Verdict.LOADS_CODE),
            prefix("--ld-path", Verdict.LOADS_CODE),
            exact("--param", Verdict.VALUE),
            prefix("--sysroot", Verdict.CLIENT_FILE),
            prefix("-B", Verdict.LOADS_CODE),
            exact("-D", Verdict.VALUE),
            prefix("-D", Verdict.VALUE),
            prefix("-E", Verdict.NOT_HERE),
            exact("-I", Verdict.INCLUDE_DIR),
            prefix("-I", Verdict.INCLUDE_DIR),
            prefix("-L", Verdict.NOT_HERE),
            prefix("-M", Verdict.OUTPUT),
            exact("-U", Verdict.VALUE),
            prefix("-U", Verdict.VALUE),
            prefix("-Wl,", Verdict.NOT_HERE),
            prefix("-Wp,", Verdict.CLIENT_FILE),
            prefix("-X", Verdict.LOADS_CODE),
            prefix("-aux-info", Verdict.OUTPUT),
            prefix("-ccc-", Verdict.LOADS_CODE),
            prefix("-dumpbase", Verdict.OUTPUT),
            prefix("-dumpdir", Verdict.OUTPUT),
            prefix("-fauto-profile", Verdict.CLIENT_FILE),
            prefix("-fcallgraph-info", Verdict.OUTPUT),
            prefix("-fcoverage-compilation-dir=", Verdict.PATH_MAP),
            prefix("-fcoverage-prefix-map=", Verdict.PATH_MAP),
            prefix("-fcrash-diagnostics-dir", Verdict.CLIENT_FILE),
            prefix("-fdebug-compilation-dir", Verdict.PATH_MAP),
            prefix("-fdebug-prefix-map=", Verdict.PATH_MAP),
            prefix("-fdiagnostics-add-output", Verdict.CLIENT_FILE),
            prefix("-fdiagnostics-set-output", Verdict.CLIENT_FILE),
            prefix("-fdump-", Verdict.OUTPUT),
            prefix("-ffile-compilation-dir=", Verdict.PATH_MAP),
            prefix("-ffile-prefix-map=", Verdict.PATH_MAP),
            prefix("-fmacro-prefix-map=", Verdict.PATH_MAP),
            prefix("-fmodule-file", Verdict.CLIENT_FILE),
            prefix("-fmodule-map-file", Verdict.CLIENT_FILE),
            prefix("-fmodules", Verdict.CLIENT_FILE),
            prefix("-fopt-info", Verdict.OUTPUT),
            prefix("-fpass-plugin", Verdict.LOADS_CODE),
            prefix("-fplugin", Verdict.LOADS_CODE),
            prefix("-fprebuilt-module-path", Verdict.CLIENT_FILE),
            prefix("-fprofile-arcs", Verdict.OUTPUT),
            prefix("-fprofile-generate", Verdict.OUTPUT),
            prefix("-fprofile-instr-use", Verdict.CLIENT_FILE),
            prefix("-fprofile-list", Verdict.CLIENT_FILE),
            prefix("-fprofile-prefix-map=", Verdict.PATH_MAP),
            prefix("-fprofile-sample-use", Verdict.CLIENT_FILE),
            prefix("-fprofile-use", Verdict.CLIENT_FILE),
            prefix("-fsanitize-blacklist", Verdict.CLIENT_FILE),
            prefix("-fsanitize-coverage-allowlist", Verdict.CLIENT_FILE),
            prefix("-fsanitize-coverage-ignorelist", Verdict.CLIENT_FILE),
            prefix("-fsanitize-ignorelist", Verdict.CLIENT_FILE),
            prefix("-fsave-optimization-record", Verdict.OUTPUT),
            prefix("-fstack-usage", Verdict.OUTPUT),
            prefix("-ftest-coverage", Verdict.OUTPUT),
            prefix("-ftime-trace", Verdict.OUTPUT),
            prefix("-fuse-ld", Verdict.LOADS_CODE),
            prefix("-gsplit-dwarf", Verdict.OUTPUT),
            exact("-idirafter", Verdict.INCLUDE_DIR),
            prefix("-imacros", Verdict.CLIENT_FILE),
            prefix("-imultiarch", Verdict.CLIENT_FILE),
            prefix("-imultilib", Verdict.CLIENT_FILE),
            prefix("-include", Verdict.CLIENT_FILE),
            prefix("-iplugindir", Verdict.LOADS_CODE),
            prefix("-iprefix", Verdict.CLIENT_FILE),
            exact("-iquote", Verdict.INCLUDE_DIR),
            exact("-isysroot", Verdict.CLIENT_FILE),
            exact("-isystem", Verdict.INCLUDE_DIR),
            prefix("-iwithprefix", Verdict.CLIENT_FILE),
            prefix("-l", Verdict.NOT_HERE),
            prefix("-load", Verdict.LOADS_CODE),
            prefix("-mllvm", Verdict.LOADS_CODE),
            prefix("-o", Verdict.OUTPUT),
            prefix("-save-stats", Verdict.OUTPUT),
            prefix("-save-temps", Verdict.OUTPUT),
            prefix("-specs", Verdict.LOADS_CODE),
            exact("-target", Verdict.VALUE),
            prefix("-wrapper", Verdict.LOADS_CODE),
            prefix("-x", Verdict.NOT_HERE));

    /** Assembler options passed with -Wa, that write no file and load nothing. */
    private static final List<String> SAFE_ASSEMBLER = List.of("--noexecstack", "--compress-debug-sections",
            "--compress-debug-sections=", "-mrelax-relocations=", "--generate-missing-build-notes=",
            "-mx86-used-note=", "--64", "--32");

    private final int maxArgs;

    public ArgumentPolicy(int maxArgs) {
        this.maxArgs = maxArgs;
    }

    /** Refuses the first argument the node will not run, saying which and why. */
    public void check(List<String> args) throws Refusal {
        if (args.size() > maxArgs) {
            throw new Refusal(ErrorCode.TOO_LARGE, args.size() + " arguments, more than the node's " + maxArgs);
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("@")) {
                throw refuse(a, "is a response file of the client's choosing");
            }
            if (!a.startsWith("-") || a.equals("-")) {
                throw refuse(a, "is an input of the client's choosing (the node writes the only input)");
            }
            if (a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0) {
                throw refuse(a, "holds a control character");
            }
            if (a.startsWith("-Wa,")) {
                checkAssembler(a);
                continue;
            }
            Rule r = ruleFor(a);
            Verdict v = r == null ? null : r.verdict();
            if (v != null && v.refused()) {
                throw refuse(a, v.why);
            }
            if (v == Verdict.PATH_MAP) {
                continue;
            }
            if (v == Verdict.VALUE || v == Verdict.INCLUDE_DIR) {
                String value = a.substring(r.option().length());
                if (!r.prefix() || value.isEmpty()) {
                    if (i + 1 >= args.size()) {
                        throw refuse(a, "needs a value");
                    }
                    value = args.get(++i);
                }
                if (v == Verdict.INCLUDE_DIR && (value.startsWith("/") || value.contains(".."))) {
                    throw refuse(a + " " + value, "names a directory outside the node's private directory");
                }
                // A driver that does not know the option (gcc and -target) takes its value for an
                // input file: only -D and -U values, which every driver consumes, may hold paths.
                if (v == Verdict.VALUE && !r.option().equals("-D") && !r.option().equals("-U")
                        && value.indexOf('/') >= 0) {
                    throw refuse(a + " " + value, "names a path");
                }
                if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
                    throw refuse(a, "holds a control character");
                }
                continue;
            }
            if (a.indexOf('/') >= 0) {
                throw refuse(a, "names a path");
            }
        }
    }

    /** The matching rule: an exact one, else the longest prefix, else {@code null}. */
    static Rule ruleFor(String arg) {
        Rule best = null;
        for (Rule r : TABLE) {
            if (!r.prefix() && arg.equals(r.option())) {
                return r;
            }
            if (r.prefix() && arg.startsWith(r.option())
                    && (best == null || r.option().length() > best.option().length())) {
                best = r;
            }
        }
        return best;
    }

    private static void checkAssembler(String a) throws Refusal {
        for (String part : a.substring(4).split(",", -1)) {
            boolean ok = false;
            for (String safe : SAFE_ASSEMBLER) {
                if (safe.endsWith("=") ? part.startsWith(safe) && part.indexOf('/') < 0 : part.equals(safe)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                throw refuse(a, "passes an assembler option the node does not allow ('" + part + "')");
            }
        }
    }

    private static Refusal refuse(String arg, String why) {
        return new Refusal(ErrorCode.FORBIDDEN_ARGUMENT,
                "argument '" + CompilerResolver.printable(arg) + "' " + why);
    }
}
