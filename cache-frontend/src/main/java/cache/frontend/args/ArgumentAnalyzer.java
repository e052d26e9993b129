package cache.frontend.args;

import cache.compat.args.Language;
import cache.compat.args.OptionTable;
import cache.compat.Counter;
import cache.store.OutputKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a gcc or clang command line into an {@link Invocation} or an {@link Uncacheable}
 * verdict. Knowledge about individual options lives in {@link OptionTable}; this class only
 * walks the words once, records each argument's {@link Role}, tracks the few options that
 * change what the compile produces, and sorts every word into the key. The command lines
 * (preprocessor run, compile, {@code run_second_cpp = false} pair, remote compile) are
 * projections of the recorded roles.
 *
 * <p>Unknown options are kept in all three: hashing something harmless costs a few misses,
 * leaving out something that matters would serve wrong objects.
 */
public final class ArgumentAnalyzer {

    private ArgumentAnalyzer() {}

    /** Mutable state of one walk over the arguments. */
    private static final class Walk {
        /** Every argument with its role, in command-line order. */
        final List<Argument> roles = new ArrayList<>();
        final List<String> key = new ArrayList<>();
        /** Preprocessor-only words, hashed too when the object records the command line. */
        final List<String> cppOnly = new ArrayList<>();
        Language forced;
        String source;
        Language sourceLanguage;
        String output;
        /** The command as typed, word for word the walked one, where that has {@code base_dir} applied; else null. */
        List<String> typed;
        /** The {@code -o} value as typed. */
        String typedOutput;
        String depFile;
        boolean compile;
        boolean assemble;
        /** {@code -fsyntax-only}: diagnostics only, no object (and no -c needed), as ccache caches it. */
        boolean syntaxOnly;
        /** Where each {@code -c} went into {@link #key}. */
        final List<Integer> compileFlagAt = new ArrayList<>();
        boolean deps;
        /** {@code -MD}/{@code -MMD} as driver options: with {@code -o}, gcc's driver makes the object the rule's target. */
        boolean driverDeps;
        boolean depTarget;
        /** The rule targets {@code -MT}/{@code -MQ} name, as the compiler writes them; null once one needs quoting we do not do. */
        List<String> targets = new ArrayList<>();
        /** The words of {@code -MT}/{@code -MQ} values, keyed unless a hit rewrites the target. */
        final List<String> targetWords = new ArrayList<>();
        /** A target named inside {@code -Wp,}: the driver does not see it. */
        boolean wpTarget;
        /** {@code -MF} (as a driver option), which gcc and clang combine differently with {@code -Wp,-MD,file}. */
        boolean driverDepFile;
        boolean wpDeps;
        boolean debug;
        boolean debugMacros;
        boolean splitDwarf;
        boolean coverageNotes;
        boolean profileArcs;
        boolean stackUsage;
        /** An assembler listing option was seen ({@code -Wa,-a...}). */
        boolean assemblerListing;
        /** The assembler listing's file ({@code -Wa,-a=file}), or null. */
        String listing;
        boolean recordsCommandLine;
        boolean direct = true;
        /** The caller's colour choice; its options are kept out of the key ({@link DiagnosticsColour}). */
        DiagnosticsColour colour = DiagnosticsColour.AUTO;
        /** The colour options' words, keyed only when the object records the command line. */
        final List<String> colourWords = new ArrayList<>();
        int sources;
        final List<String> hashedFiles = new ArrayList<>();
        /** The words of {@code -Xpreprocessor} options, in order: one command line of the preprocessor's. */
        final List<String> cppPassed = new ArrayList<>();
        /** Inputs that are not sources (objects, archives …): fine for a link, not for -c. */
        String otherInput;

        void record(Role role, List<String> words) {
            String first = words.get(0);
            OptionTable.Option row = null;
            if (first.startsWith("-")) {
                row = OptionTable.exact(first);
                if (row == null) {
                    row = OptionTable.joined(first);
                }
            }
            roles.add(new Argument(role, words, row));
        }

        void record(Role role, String word) {
            record(role, List.of(word));
        }
    }

    /** ccache's marker: the next argument is passed on, not interpreted. */
    static final String SKIP = "--ccache-skip";

    public static Analysis analyze(List<String> rawArgs, Path cwd, Map<String, String> env) {
        return analyze(rawArgs, rawArgs, cwd, env);
    }

    /**
     * The analysis of {@code rawArgs}, whose dependency targets are those of {@code typed}: the
     * command as typed, word for word {@code rawArgs} before {@code base_dir} made paths relative
     * ({@link BaseDir#rewrite} keeps every word in its place). The compile runs with a relative
     * {@code -o}, so the compiler names the relative object in the {@code .d}; plain gcc of the
     * command as typed names it as typed, and so do ccache's hits: a miss's and a hit's {@code .d}
     * get the typed object as its target. {@code -MT}/{@code -MQ} values are never rewritten, so
     * only the object's target differs; a typed object make would need quoted keeps the relative one.
     */
    public static Analysis analyze(List<String> rawArgs, List<String> typed, Path cwd, Map<String, String> env) {
        if (env.containsKey("DEPENDENCIES_OUTPUT") || env.containsKey("SUNPRO_DEPENDENCIES")) {
            return new Uncacheable(Counter.UNSUPPORTED_ENVIRONMENT_VARIABLE,
                    "DEPENDENCIES_OUTPUT or SUNPRO_DEPENDENCIES is set");
        }
        Uncacheable inProcessDir = processDirectory(cwd);
        if (inProcessDir != null) {
            return inProcessDir;
        }
        List<String> args;
        List<String> typedArgs = typed == rawArgs ? null : new ArrayList<>(typed.size());
        try {
            // refuses "@/dev/fd/3" before reading it
            args = typedArgs == null ? ResponseFiles.expand(rawArgs, cwd) : ResponseFiles.expand(rawArgs, typed, typedArgs, cwd);
        } catch (ResponseFiles.CallersFileException e) {
            return callersOwn("@" + e.path());
        } catch (IOException e) {
            return new Uncacheable(Counter.BAD_COMPILER_ARGUMENTS, "response file: " + e.getMessage());
        }
        // ccache's --ccache-skip: the next word goes to the compiler (and into the key) without
        // being interpreted; --ccache-skip itself is dropped.
        java.util.Set<Integer> verbatim = new java.util.HashSet<>();
        boolean skipUsed = args.contains(SKIP);
        if (skipUsed) {
            List<String> kept = new ArrayList<>(args.size());
            List<String> typedKept = typedArgs == null ? null : new ArrayList<>(args.size());
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals(SKIP)) {
                    if (++i < args.size()) {
                        verbatim.add(kept.size());
                        kept.add(args.get(i));
                        if (typedKept != null) {
                            typedKept.add(typedArgs.get(i));
                        }
                    }
                } else {
                    kept.add(args.get(i));
                    if (typedKept != null) {
                        typedKept.add(typedArgs.get(i));
                    }
                }
            }
            args = kept;
            typedArgs = typedKept;
        }
        Walk w = new Walk();
        w.typed = typedArgs;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            Uncacheable verdict;
            if (verbatim.contains(i)) {
                if (!a.startsWith("-") && isCallersOwn(a)) {
                    return callersOwn(a); // the compiler takes it for an input file
                }
                w.key.add(a);
                w.record(Role.VERBATIM, a);
                continue;
            }
            if (a.startsWith("-") && !a.equals("-")) {
                verdict = option(w, args, i);
                if (verdict == null) {
                    i += consumed(args, i);
                }
            } else {
                verdict = input(w, a);
            }
            if (verdict != null) {
                return verdict;
            }
        }
        return finish(w, skipUsed);
    }

    /** How many following words option {@code i} takes as its argument. */
    private static int consumed(List<String> args, int i) {
        String a = args.get(i);
        if (SEPARATE_ARG_SPECIAL.contains(a)) {
            return 1;
        }
        OptionTable.Option o = OptionTable.exact(a);
        return o != null && o.has(OptionTable.TAKES_ARG) && i + 1 < args.size() ? 1 : 0;
    }

    private static final List<String> SEPARATE_ARG_SPECIAL = List.of("-o", "-x", "-MF", "-MT", "-MQ");

    private static Uncacheable option(Walk w, List<String> args, int i) {
        String a = args.get(i);
        String next = i + 1 < args.size() ? args.get(i + 1) : null;
        switch (a) {
            case "-c" -> { w.compile = true; w.compileFlagAt.add(w.key.size()); w.key.add(a); w.record(Role.MODE, a); return null; }
            case "-S" -> { w.assemble = true; w.key.add(a); w.record(Role.MODE, a); return null; }
            case "-E" -> { return new Uncacheable(Counter.CALLED_FOR_PREPROCESSING, "-E"); }
            case "-o" -> {
                if (next == null) { return bad("-o without a file"); }
                w.record(Role.OUTPUT, List.of(a, next));
                w.typedOutput = w.typed == null ? next : w.typed.get(i + 1); // base_dir rewrote it, perhaps
                return output(w, next);
            }
            case "-x" -> {
                if (next == null) { return bad("-x without a language"); }
                w.record(Role.LANGUAGE, List.of(a, next));
                return language(w, a, next);
            }
            case "-MD", "-MMD" -> { w.deps = true; w.driverDeps = true; w.key.add(a); w.record(Role.DEPENDENCY, a); return null; }
            case "-MP", "-MG" -> { w.key.add(a); w.record(Role.DEPENDENCY, a); return null; }
            case "-MF" -> {
                if (next == null) { return bad("-MF without a file"); }
                w.driverDepFile = true;
                w.record(Role.DEPENDENCY, List.of(a, next));
                return depFile(w, next);
            }
            case "-MT", "-MQ" -> {
                if (next == null) { return bad(a + " without a target"); }
                target(w, a, next);
                w.record(Role.DEPENDENCY, List.of(a, next));
                return null;
            }
            default -> { }
        }
        if (a.startsWith("-o")) {
            w.record(Role.OUTPUT, a);
            w.typedOutput = a.substring(2); // base_dir leaves a joined -o as it is
            return output(w, a.substring(2));
        }
        if (a.startsWith("-x")) {
            w.record(Role.LANGUAGE, a);
            return language(w, a, a.substring(2));
        }
        if (a.startsWith("-MF")) {
            w.driverDepFile = true;
            w.record(Role.DEPENDENCY, a);
            return depFile(w, a.substring(3));
        }
        if (a.startsWith("-MT") || a.startsWith("-MQ")) {
            target(w, a.substring(0, 3), a.substring(3));
            w.record(Role.DEPENDENCY, a);
            return null;
        }
        if (a.startsWith("-Wp,")) {
            return preprocessorPassThrough(w, a);
        }
        if (a.startsWith("-Wa,") || (a.equals("-Xassembler") && next != null)) {
            boolean xassembler = a.equals("-Xassembler");
            String word = xassembler ? next : a;
            String listingBefore = w.listing;
            Uncacheable listing = assemblerListing(w, xassembler ? List.of(next) : List.of(a.substring(4).split(",", -1)));
            if (listing != null) {
                return listing;
            }
            if (w.listing != listingBefore) {
                // The listing's name is an output path, not keyed (ccache: one entry for test1.lst and test2.lst).
                Uncacheable u = tableOption(w, args, i);
                int at = w.key.lastIndexOf(word);
                if (at >= 0) {
                    w.key.set(at, listingKeyed(word, xassembler));
                }
                return u;
            }
        }
        boolean xclangColour = a.equals("-Xclang") && "-fcolor-diagnostics".equals(next);
        DiagnosticsColour colour = DiagnosticsColour.of(xclangColour ? next : a);
        if (colour != null) {
            // As ccache: not keyed (a miss compiles with colours whatever the choice), passed to the compile.
            List<String> words = xclangColour ? List.of(a, next) : List.of(a);
            w.colour = colour;
            w.colourWords.addAll(words);
            w.record(Role.COLOUR, words);
            return null;
        }
        if (a.equals("-Xpreprocessor") && next != null) {
            w.cppPassed.add(next);
        }
        if (a.equals("-fsyntax-only")) {
            w.syntaxOnly = true;
        }
        flags(w, a);
        return tableOption(w, args, i);
    }

    private static Uncacheable tableOption(Walk w, List<String> args, int i) {
        String a = args.get(i);
        OptionTable.Option o = OptionTable.exact(a);
        boolean separate = o != null && o.has(OptionTable.TAKES_ARG);
        if (o == null) {
            o = OptionTable.joined(a);
        }
        if (o != null && o.has(OptionTable.TOO_HARD)) {
            return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, a);
        }
        if (separate && i + 1 >= args.size()) {
            return bad(a + " without its argument");
        }
        if (o != null && o.has(OptionTable.TAKES_PATH)) {
            String path = separate ? args.get(i + 1) : a.substring(o.name().length());
            if (isCallersOwn(path)) {
                return callersOwn(a + (separate ? " " + path : ""));
            }
        }
        List<String> words = separate ? List.of(a, args.get(i + 1)) : List.of(a);
        if (o != null && o.has(OptionTable.TOO_HARD_FOR_DIRECT)) {
            w.direct = false;
        }
        if (o != null && o.has(OptionTable.HASH_FILE)) {
            w.hashedFiles.add(a.substring(o.name().length()));
        }
        if (o != null && o.has(OptionTable.AFFECTS_CPP)) {
            w.cppOnly.addAll(words);
        } else {
            w.key.addAll(words);
        }
        w.roles.add(new Argument(role(o, words), words, o));
        return null;
    }

    /** The role of an option the table (or nothing) describes; the special cases are decided before. */
    private static Role role(OptionTable.Option o, List<String> words) {
        String a = words.get(0);
        if (o != null && o.has(OptionTable.AFFECTS_COMP)) {
            return Role.COMPILE_ONLY;
        }
        if ((o != null && o.has(OptionTable.AFFECTS_CPP)) || a.startsWith("-finput-charset=")) {
            return Role.PREPROCESSOR;
        }
        if (a.startsWith("-g")) {
            return Role.DEBUG;
        }
        return Role.COMMON;
    }

    /** Tracks the options that change which outputs exist or what they embed. */
    private static void flags(Walk w, String a) {
        if (a.startsWith("-g")) {
            debugLevel(w, a);
        } else if (a.equals("--coverage")) {
            w.coverageNotes = true;
            w.profileArcs = true;
        } else if (a.equals("-ftest-coverage")) {
            w.coverageNotes = true;
        } else if (a.equals("-fno-test-coverage")) {
            w.coverageNotes = false;
        } else if (a.equals("-fprofile-arcs") || a.startsWith("-fprofile-generate")) {
            w.profileArcs = true;
        } else if (a.equals("-fstack-usage")) {
            w.stackUsage = true;
        } else if (a.equals("-frecord-gcc-switches") || a.equals("-grecord-command-line")
                || a.equals("-frecord-command-line")) {
            w.recordsCommandLine = true;
        }
    }

    private static void debugLevel(Walk w, String a) {
        if (a.startsWith("-gz")) {
            return; // -gz[=type] compresses debug sections; it neither enables nor disables them (as in ccache)
        }
        switch (a) {
            case "-g0", "-ggdb0", "-gno-split-dwarf", "-gno-record-gcc-switches", "-gno-column-info" -> {
                if (a.equals("-g0") || a.equals("-ggdb0")) {
                    w.debug = false;
                    w.debugMacros = false;
                } else if (a.equals("-gno-split-dwarf")) {
                    w.splitDwarf = false;
                }
            }
            case "-gsplit-dwarf" -> w.splitDwarf = true;
            case "-grecord-command-line" -> w.recordsCommandLine = true;
            default -> {
                w.debug = true;
                w.debugMacros = a.endsWith("3");
            }
        }
    }

    /**
     * {@code -Wp,-MD,file} and {@code -Wp,-MMD,file} ask for a dependency file, {@code -Wp,-MP},
     * {@code -Wp,-MT,target}, {@code -Wp,-MQ,target} and {@code -Wp,-MF,file} shape it (as in
     * ccache); any other {@code -M} form makes the preprocessor write what we do not capture. The
     * rest is cpp input: its file arguments are checked like the compiler's own.
     */
    private static Uncacheable preprocessorPassThrough(Walk w, String a) {
        String[] parts = a.substring(4).split(",", -1);
        if (parts.length == 1 && parts[0].equals("-P")) {
            w.key.add(a);
            w.roles.add(new Argument(Role.COMPILE_ONLY, List.of(a), OptionTable.exact("-P")));
            return null;
        }
        if (List.of(parts).contains("-P")) {
            // The compile's -P cannot be kept from the preprocessor run with the rest (ccache refuses it too).
            return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, "-P with other preprocessor options: " + a);
        }
        if (parts.length == 2 && (parts[0].equals("-MD") || parts[0].equals("-MMD"))) {
            w.deps = true;
            w.wpDeps = true;
            w.key.add("-Wp," + parts[0]);
            w.record(Role.DEPENDENCY, a);
            return depFile(w, parts[1]);
        }
        if (parts.length == 1 && parts[0].equals("-MP")) {
            w.key.add(a);
            w.record(Role.DEPENDENCY, a);
            return null;
        }
        if (parts.length == 2 && (parts[0].equals("-MT") || parts[0].equals("-MQ"))) {
            w.depTarget = true;
            w.wpTarget = true;
            w.key.add(a);
            w.record(Role.DEPENDENCY, a);
            return null;
        }
        if (parts.length == 2 && parts[0].equals("-MF")) {
            w.record(Role.DEPENDENCY, a);
            return depFile(w, parts[1]);
        }
        if (parts.length == 1 && parts[0].startsWith("-D") && parts[0].length() > 2) {
            // A macro definition handed to cc1: keyed as the driver's -D (ccache treats it as one).
            w.record(Role.PREPROCESSOR, a);
            w.cppOnly.add(parts[0]);
            return null;
        }
        if (parts.length > 2 && dependencyOptionsOnly(parts)) {
            // Several dependency options in one -Wp,: the .d is captured as any other; direct
            // mode is not used, as in ccache, and the whole word (names included) is keyed.
            for (int j = 0; j < parts.length; j++) {
                switch (parts[j]) {
                    case "-MD", "-MMD" -> { w.deps = true; w.wpDeps = true; w.depFile = parts[++j]; }
                    case "-MF" -> w.depFile = parts[++j];
                    case "-MT", "-MQ" -> { w.depTarget = true; w.wpTarget = true; j++; }
                    default -> { }
                }
            }
            if (isCallersOwn(w.depFile == null ? "" : w.depFile)) {
                return callersOwn(a);
            }
            w.direct = false;
            w.key.add(a);
            w.record(Role.DEPENDENCY, a);
            return null;
        }
        for (String p : parts) {
            if (p.startsWith("-M")) {
                return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, a);
            }
        }
        Uncacheable own = preprocessorFiles(List.of(parts));
        if (own != null) {
            return own;
        }
        w.direct = false;
        w.record(Role.PREPROCESSOR, a);
        w.cppOnly.add(a);
        return null;
    }

    /** Whether the words of a {@code -Wp,} option are dependency options only ({@code -MD f}, {@code -MT t}, {@code -MP} …). */
    private static boolean dependencyOptionsOnly(String[] parts) {
        for (int j = 0; j < parts.length; j++) {
            switch (parts[j]) {
                case "-MD", "-MMD", "-MF", "-MT", "-MQ" -> {
                    if (++j >= parts.length || parts[j].isEmpty()) {
                        return false;
                    }
                }
                case "-MP" -> { }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Words handed to the preprocessor itself ({@code -Wp,…}, {@code -Xpreprocessor …}): the
     * files its options and inputs name, found through the option table, must not be the
     * caller's own.
     */
    private static Uncacheable preprocessorFiles(List<String> words) {
        for (int j = 0; j < words.size(); j++) {
            String p = words.get(j);
            String path = null;
            if (!p.startsWith("-")) {
                path = p;
            } else if ((p.equals("-o") || p.equals("-MF")) && j + 1 < words.size()) {
                path = words.get(++j);
            } else {
                OptionTable.Option o = OptionTable.exact(p);
                if (o != null && o.has(OptionTable.TAKES_ARG) && j + 1 < words.size()) {
                    String arg = words.get(++j);
                    path = o.has(OptionTable.TAKES_PATH) ? arg : null;
                } else if (o == null && (o = OptionTable.joined(p)) != null && o.has(OptionTable.TAKES_PATH)) {
                    path = p.substring(o.name().length());
                }
            }
            if (path != null && isCallersOwn(path)) {
                return callersOwn(String.join(" ", words));
            }
        }
        return null;
    }

    /**
     * The assembler's listing option {@code -a[cdghlmns]=file} writes a file we do not capture
     * (ccache 4.7 captures one; we do not yet); without {@code =file} the listing goes to
     * stdout, which is replayed.
     */
    /**
     * ccache 4.7's assembler listing ({@code -Wa,-a[OPTIONS][=file]}): one {@code -a} option per
     * call, its file an output stored with the entry; a second one is {@code
     * unsupported_compiler_option}. {@code -a} without a file lists on stdout, which is stored.
     */
    private static Uncacheable assemblerListing(Walk w, List<String> words) {
        for (String p : words) {
            if (!p.startsWith("-a")) {
                continue;
            }
            if (w.assemblerListing) {
                return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, "multiple assembler listing options (-Wa,-a)");
            }
            w.assemblerListing = true;
            int eq = p.indexOf('=');
            if (eq > 0) {
                if (eq + 1 == p.length()) {
                    return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, "assembler listing without a file name " + p);
                }
                w.listing = p.substring(eq + 1);
            }
        }
        return null;
    }

    /** {@code word} with the listing file's name left out: what the key holds. */
    private static String listingKeyed(String word, boolean xassembler) {
        String[] parts = (xassembler ? word : word.substring(4)).split(",", -1);
        for (int k = 0; k < parts.length; k++) {
            int eq = parts[k].indexOf('=');
            if (parts[k].startsWith("-a") && eq > 0) {
                parts[k] = parts[k].substring(0, eq + 1) + "[listing]";
            }
        }
        return (xassembler ? "" : "-Wa,") + String.join(",", parts);
    }

    /**
     * {@code -MT}/{@code -MQ} {@code value}: its rule target as the compiler writes it ({@code
     * -MQ} quotes {@code $} for make), or, for a value that needs quoting we do not reproduce,
     * none (the value is then keyed and the stored target never rewritten).
     */
    private static void target(Walk w, String option, String value) {
        w.depTarget = true;
        w.key.add(option);
        w.targetWords.add(value);
        boolean quoted = option.equals("-MQ");
        if (w.targets != null && plainTarget(value.replace("$", ""))) {
            w.targets.add(quoted ? value.replace("$", "$$") : value);
        } else {
            w.targets = null;
        }
    }

    private static Uncacheable depFile(Walk w, String path) {
        if (isCallersOwn(path)) {
            return callersOwn(path);
        }
        w.depFile = path;
        return null;
    }

    private static Uncacheable output(Walk w, String path) {
        if (w.output != null) {
            return bad("more than one -o");
        }
        if (path.equals("-") || path.equals("/dev/stdout")) {
            return new Uncacheable(Counter.OUTPUT_TO_STDOUT, "-o " + path);
        }
        if (isCallersOwn(path)) {
            return callersOwn("-o " + path);
        }
        w.output = path;
        return null;
    }

    private static Uncacheable language(Walk w, String word, String name) {
        w.key.add("-x");
        w.key.add(name);
        if (name.equals("none")) {
            w.forced = null;
            return null;
        }
        Language l = Language.forGccName(name);
        if (l == null) {
            return new Uncacheable(Counter.UNSUPPORTED_SOURCE_LANGUAGE, word.equals("-x") ? "-x " + name : word);
        }
        w.forced = l;
        return null;
    }

    private static Uncacheable input(Walk w, String a) {
        if (a.equals("-")) {
            return new Uncacheable(Counter.NO_INPUT_FILE, "source read from stdin");
        }
        if (isCallersOwn(a)) {
            return callersOwn(a);
        }
        Language l = w.forced != null ? w.forced : Language.forFile(a);
        if (l == null) {
            if (w.otherInput == null) {
                w.otherInput = a;
            }
            return null;
        }
        w.sources++;
        if (w.sources > 1) {
            return new Uncacheable(Counter.MULTIPLE_SOURCE_FILES, w.source + " and " + a);
        }
        w.source = a;
        w.sourceLanguage = l;
        w.record(Role.INPUT, a);
        return null;
    }

    /** Where a path means a file of whichever process opens it: the caller's, not the daemon's. */
    private static final String[] PROCESS_RELATIVE = {"/dev/fd", "/dev/stdin", "/dev/stdout", "/dev/stderr",
        "/dev/tty", "/proc/self", "/proc/thread-self"};

    /**
     * Whether {@code path}, a word the compiler opens as a file, names one of the calling
     * process's own ({@code /dev/stdin}, {@code /dev/fd/3}, {@code /proc/self/cwd/inc}, …): the
     * daemon, another process, would open its own instead, so the client compiles such a call
     * itself. Only words in a file position are asked (inputs, {@code -o}, {@code -MF},
     * path-taking options of the option table, response files); a macro value such as
     * {@code -DEXE="/proc/self/exe"} is text, not a file, and never counts.
     */
    static boolean isCallersOwn(String path) {
        for (String prefix : PROCESS_RELATIVE) {
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    private static Uncacheable callersOwn(String word) {
        return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, word + " names a file of the calling process");
    }

    /** A call run in {@code /dev} or {@code /proc}: relative names could mean the caller's own files. */
    private static Uncacheable processDirectory(Path cwd) {
        String dir = cwd.toString();
        for (String special : new String[] {"/dev", "/proc"}) {
            if (dir.equals(special) || dir.startsWith(special + "/")) {
                return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, "working directory " + dir);
            }
        }
        return null;
    }

    private static Uncacheable bad(String why) {
        return new Uncacheable(Counter.BAD_COMPILER_ARGUMENTS, why);
    }

    private static Analysis finish(Walk w, boolean verbatim) {
        Uncacheable own = preprocessorFiles(w.cppPassed);
        if (own != null) {
            return own;
        }
        if (w.source == null && w.otherInput == null) {
            return new Uncacheable(Counter.NO_INPUT_FILE, "no input file"); // --version, -print-*, as ccache
        }
        if (!w.compile && !w.assemble && !w.syntaxOnly) {
            // ccache's label for configure's link checks; its compiles (-c conftest.c) are cached
            // like any other: the name says nothing about what the compiler does.
            boolean conftest = (w.source != null && w.source.contains("conftest."))
                    || (w.otherInput != null && w.otherInput.contains("conftest."));
            return conftest ? new Uncacheable(Counter.AUTOCONF_TEST, "link of " + (w.source != null ? w.source : w.otherInput))
                    : new Uncacheable(Counter.CALLED_FOR_LINK, "no -c or -S");
        }
        if (w.otherInput != null) {
            return new Uncacheable(Counter.UNSUPPORTED_SOURCE_LANGUAGE, "not a source file: " + w.otherInput);
        }
        if (w.source == null) {
            return new Uncacheable(Counter.NO_INPUT_FILE, "no source file");
        }
        String base = baseName(w.source);
        if (w.sourceLanguage.isHeader()) {
            return new Uncacheable(Counter.COULD_NOT_USE_PRECOMPILED_HEADER, "compiling a header: " + w.source);
        }
        if (w.wpDeps && w.driverDepFile) {
            // gcc writes the -Wp, file, clang the -MF one (ccache refuses it too).
            return new Uncacheable(Counter.UNSUPPORTED_COMPILER_OPTION, "-Wp,-M[M]D with -MF");
        }
        Map<OutputKind, String> outputs = new EnumMap<>(OutputKind.class);
        String object = w.output != null ? w.output : stripExtension(base) + (w.assemble ? ".s" : ".o");
        if (!w.syntaxOnly) {
            outputs.put(OutputKind.OBJECT, object);
        }
        boolean makesObject = !w.assemble && !w.syntaxOnly;
        if (w.sourceLanguage.isPreprocessed()) {
            w.deps = false; // no preprocessor runs: gcc and clang write no .d (ccache: none for assembler)
        }
        if (w.deps) {
            outputs.put(OutputKind.DEPENDENCY, w.depFile != null ? w.depFile : defaultDepFile(w));
        }
        if (makesObject && w.coverageNotes) {
            outputs.put(OutputKind.COVERAGE_NOTES, stripExtension(object) + ".gcno");
        }
        if (makesObject && w.splitDwarf && w.debug) {
            outputs.put(OutputKind.SPLIT_DWARF, stripExtension(object) + ".dwo");
        }
        if (w.stackUsage && !w.syntaxOnly) {
            outputs.put(OutputKind.STACK_USAGE, stripExtension(object) + ".su");
        }
        if (makesObject && w.listing != null) {
            outputs.put(OutputKind.ASSEMBLER_LISTING, w.listing);
        }
        List<String> key = new ArrayList<>(w.key);
        if (w.syntaxOnly) {
            // With -fsyntax-only, -c changes nothing the compiler does (ccache never hashes -c).
            for (int i = w.compileFlagAt.size() - 1; i >= 0; i--) {
                key.remove((int) w.compileFlagAt.get(i));
            }
        }
        if (w.recordsCommandLine || w.debugMacros) {
            // The object then carries the preprocessor options (or macro definitions) verbatim.
            key.add("[cpp-options]");
            key.addAll(w.cppOnly);
        }
        if (w.recordsCommandLine && !w.colourWords.isEmpty()) {
            key.add("[colour]"); // the object records them
            key.addAll(w.colourWords);
        }
        boolean objectKeyed = w.recordsCommandLine || w.profileArcs || outputs.containsKey(OutputKind.SPLIT_DWARF);
        // The rule's target, when the compiler derives it from the object or -MT/-MQ name it, is
        // rewritten in a stored .d on a hit, as ccache does; else what names it is keyed.
        List<String> dependencyTargets = null;
        if (w.deps && !w.wpTarget) {
            if (!w.targetWords.isEmpty()) {
                dependencyTargets = w.targets == null ? null : List.copyOf(w.targets);
            } else if (w.driverDeps && !w.syntaxOnly && (w.output != null || !w.assemble) && plainTarget(object)) {
                // The driver's -MQ <object> with -o; else the compiler's default, the source's base name with .o.
                dependencyTargets = List.of(object);
                if (w.output != null && plainTarget(w.typedOutput)) {
                    // base_dir: the object as typed, which plain gcc names (see analyze(rawArgs, typed, …))
                    dependencyTargets = List.of(w.typedOutput);
                }
            } else {
                objectKeyed = true;
            }
        } else if (w.deps && w.driverDeps && w.output != null && w.targetWords.isEmpty()) {
            objectKeyed = true; // the driver adds -MQ <object> beside the -Wp, target
        }
        if (w.deps && "/dev/null".equals(outputs.get(OutputKind.DEPENDENCY))) {
            key.add("[dependency-file] /dev/null"); // its result holds no .d to give a call that wants one
            dependencyTargets = null; // nothing to rewrite
        }
        if (dependencyTargets != null) {
            key.add("[dependency-target]");
        } else if (!w.targetWords.isEmpty()) {
            key.add("[dependency-target]");
            key.addAll(w.targetWords);
        }
        if (objectKeyed) {
            // The dependency rule's target, the .gcda path or the .dwo name is the output path.
            key.add("[output]");
            key.add(object);
        }
        if (w.sourceLanguage.isPreprocessed()) {
            key.add("[source]");
            key.add(w.source);
        }
        boolean hashCwd = w.debug || w.coverageNotes || w.profileArcs;
        List<String> directKey = new ArrayList<>(key.size() + w.cppOnly.size() + 1);
        directKey.addAll(key);
        directKey.add("[cpp]");
        directKey.addAll(w.cppOnly);
        List<Argument> roles = List.copyOf(w.roles);
        return new Invocation(w.sourceLanguage, w.source, outputs, roles, Argument.words(roles), List.copyOf(key),
                List.copyOf(directKey), hashCwd, w.direct, w.colour, List.copyOf(w.hashedFiles), verbatim, object,
                dependencyTargets);
    }

    /**
     * Whether {@code object} is written into a rule target as it is (no character the compiler
     * would quote for make): only such objects have their target rewritten.
     */
    static boolean plainTarget(String object) {
        if (object.isEmpty()) {
            return false;
        }
        for (int i = 0; i < object.length(); i++) {
            char c = object.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "._/+,=@%~-".indexOf(c) >= 0;
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    /** gcc names the .d after the object when there is an -o, else after the source, in the cwd. */
    private static String defaultDepFile(Walk w) {
        if (w.output != null) {
            return stripExtension(w.output) + ".d";
        }
        return stripExtension(baseName(w.source)) + ".d";
    }

    static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Removes the last extension of the file name part, if any. */
    static String stripExtension(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash + 1 ? path.substring(0, dot) : path;
    }
}
