package cache.compat.cli;

import cache.compat.config.ConfigException;
import cache.compat.config.ValueSyntax;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The command line of {@code ccache -…} (ccache's own options, not a compiler's), parsed into
 * the steps ccache 4.7 would take, in its order (checked against Debian's ccache 4.7.5):
 *
 * <ol>
 *   <li>getopt_long reads every option first; an unknown option, a missing argument or an
 *       ambiguous abbreviation prints getopt's message and nothing at all happens.
 *   <li>The settings ({@code -d}, {@code --config-path}, {@code -v}, {@code --trim-max-size},
 *       {@code --trim-method}) apply wherever they stand: {@code ccache -s -d DIR} shows DIR.
 *       A bad {@code --trim-max-size} also stops everything.
 *   <li>The actions run in command-line order. An argument ccache checks when it reaches the
 *       action ({@code -M}, {@code -F}, {@code -X}, {@code --evict-older-than}, a
 *       {@code --trim-dir} without {@code --trim-max-size}) becomes a {@link Action.Kind#FAIL}
 *       step at that position: earlier actions have happened, later ones do not.
 *       {@code -h} prints the help and ends the run. {@code -V} does not.
 *   <li>Eviction ({@code --evict-namespace}, {@code --evict-older-than}) runs once, after all
 *       actions.
 * </ol>
 *
 * Operands (arguments that are not options) are ignored, {@code --} ends the options. Whether
 * a command line is in this form at all is {@link #isOptionMode}: ccache treats it so when
 * its first argument starts with {@code -}, and otherwise as a compiler command.
 */
public final class CcacheCommandLine {

    /** How {@code --trim-dir} orders files: ccache uses mtime only when asked for exactly "mtime". */
    public enum TrimMethod { ATIME, MTIME }

    private final List<Action> actions;
    private final int verbosity;
    private final String cacheDir;
    private final String configPath;
    private final Long trimMaxSize;
    private final TrimMethod trimMethod;

    private CcacheCommandLine(List<Action> actions, int verbosity, String cacheDir, String configPath,
            Long trimMaxSize, TrimMethod trimMethod) {
        this.actions = List.copyOf(actions);
        this.verbosity = verbosity;
        this.cacheDir = cacheDir;
        this.configPath = configPath;
        this.trimMaxSize = trimMaxSize;
        this.trimMethod = trimMethod;
    }

    /**
     * Whether ccache would treat {@code args} (without the program name) as its own options:
     * no arguments at all (usage error) or a first argument starting with {@code -}.
     */
    public static boolean isOptionMode(List<String> args) {
        return args.isEmpty() || args.get(0).startsWith("-");
    }

    /**
     * Parses {@code args} (without the program name). Never throws: usage errors are a single
     * {@link Action.Kind#FAIL} step.
     *
     * @param argv0 the program as invoked; getopt's messages start with it verbatim
     *     ({@code /usr/bin/ccache: invalid option -- 'Q'}), ccache's own errors and the usage
     *     text with its last path element ({@code ccache: error: invalid size: "x"})
     */
    public static CcacheCommandLine parse(String argv0, List<String> args) {
        String program = argv0.substring(argv0.lastIndexOf('/') + 1);
        if (args.isEmpty()) {
            return failure(help(program)); // ccache alone: the usage text on stderr, status 1
        }
        GetoptLong.Result parsed = GetoptLong.parse(argv0, args);
        if (parsed.error() != null) {
            return failure(parsed.error());
        }

        int verbosity = 0;
        String cacheDir = null;
        String configPath = null;
        Long trimMaxSize = null;
        TrimMethod trimMethod = TrimMethod.ATIME;
        for (GetoptLong.Parsed p : parsed.options()) {
            switch (p.option()) {
                case DIR -> cacheDir = p.argument();
                case CONFIG_PATH -> configPath = p.argument();
                case VERBOSE -> verbosity++;
                case TRIM_MAX_SIZE -> {
                    try {
                        trimMaxSize = ValueSyntax.parseSize(p.argument());
                    } catch (ConfigException e) {
                        return failure(errorText(program, e));
                    }
                }
                case TRIM_METHOD -> trimMethod = p.argument().equals("mtime") ? TrimMethod.MTIME : TrimMethod.ATIME;
                default -> { }
            }
        }

        List<Action> actions = new ArrayList<>();
        String evictNamespace = null;
        Long evictAge = null;
        for (GetoptLong.Parsed p : parsed.options()) {
            String arg = p.argument();
            try {
                switch (p.option()) {
                    case CHECKSUM_FILE -> actions.add(Action.of(Action.Kind.CHECKSUM_FILE, arg));
                    case CLEANUP -> actions.add(Action.of(Action.Kind.CLEANUP));
                    case CLEAR -> actions.add(Action.of(Action.Kind.CLEAR));
                    case DUMP_MANIFEST, DUMP_RESULT, INSPECT -> actions.add(Action.of(Action.Kind.INSPECT, arg));
                    case EVICT_NAMESPACE -> evictNamespace = arg;
                    case EVICT_OLDER_THAN -> evictAge = ValueSyntax.parseDuration(arg);
                    case EXTRACT_RESULT -> actions.add(Action.of(Action.Kind.EXTRACT_RESULT, arg));
                    case GET_CONFIG -> actions.add(Action.of(Action.Kind.GET_CONFIG, arg));
                    case HASH_FILE -> actions.add(Action.of(Action.Kind.HASH_FILE, arg));
                    case HELP -> {
                        actions.add(Action.of(Action.Kind.HELP));
                        return new CcacheCommandLine(actions, verbosity, cacheDir, configPath, trimMaxSize, trimMethod);
                    }
                    case MAX_FILES -> actions.add(new Action(Action.Kind.MAX_FILES, arg, ValueSyntax.parseUnsigned(arg)));
                    case MAX_SIZE -> actions.add(new Action(Action.Kind.MAX_SIZE, arg, ValueSyntax.parseSize(arg)));
                    case PRINT_STATS -> actions.add(Action.of(Action.Kind.PRINT_STATS));
                    case RECOMPRESS -> actions.add(new Action(Action.Kind.RECOMPRESS, arg, recompressLevel(arg)));
                    case SET_CONFIG -> actions.add(Action.of(Action.Kind.SET_CONFIG, arg));
                    case SHOW_COMPRESSION -> actions.add(Action.of(Action.Kind.SHOW_COMPRESSION));
                    case SHOW_CONFIG -> actions.add(Action.of(Action.Kind.SHOW_CONFIG));
                    case SHOW_LOG_STATS -> actions.add(Action.of(Action.Kind.SHOW_LOG_STATS));
                    case SHOW_STATS -> actions.add(Action.of(Action.Kind.SHOW_STATS));
                    case STOP_DAEMON -> actions.add(Action.of(Action.Kind.STOP_DAEMON));
                    case TRIM_DIR -> {
                        if (trimMaxSize == null) {
                            throw new ConfigException("please specify --trim-max-size when using --trim-dir");
                        }
                        actions.add(Action.of(Action.Kind.TRIM_DIR, arg));
                    }
                    case VERSION -> actions.add(Action.of(Action.Kind.VERSION));
                    case ZERO_STATS -> actions.add(Action.of(Action.Kind.ZERO_STATS));
                    case DIR, CONFIG_PATH, VERBOSE, TRIM_MAX_SIZE, TRIM_METHOD -> { } // settings, read above
                }
            } catch (ConfigException e) {
                actions.add(Action.of(Action.Kind.FAIL, errorText(program, e)));
                return new CcacheCommandLine(actions, verbosity, cacheDir, configPath, trimMaxSize, trimMethod);
            }
        }
        if (evictNamespace != null || evictAge != null) {
            actions.add(new Action(Action.Kind.EVICT, evictNamespace, evictAge));
        }
        return new CcacheCommandLine(actions, verbosity, cacheDir, configPath, trimMaxSize, trimMethod);
    }

    /**
     * The level of {@code -X}: null for {@code uncompressed}, else an integer from -128 to 127.
     *
     * @throws ConfigException {@code invalid integer: "x"} or {@code compression level must be
     *     between -128 and 127}
     */
    public static Long recompressLevel(String arg) throws ConfigException {
        if (arg.equals("uncompressed")) {
            return null;
        }
        return (long) ValueSyntax.parseSigned(arg, -128, 127, "compression level");
    }

    private static String errorText(String program, ConfigException e) {
        return program + ": error: " + e.getMessage() + "\n";
    }

    private static CcacheCommandLine failure(String text) {
        return new CcacheCommandLine(List.of(Action.of(Action.Kind.FAIL, text)), 0, null, null, null, TrimMethod.ATIME);
    }

    /** The steps, in order; run them until one fails. */
    public List<Action> actions() {
        return actions;
    }

    /** How many {@code -v}: 1 or 2 add detail to {@code -s} and {@code --show-log-stats}. */
    public int verbosity() {
        return verbosity;
    }

    /** {@code -d DIR} (the last one), which ccache applies as {@code CCACHE_DIR}. */
    public Optional<String> cacheDir() {
        return Optional.ofNullable(cacheDir);
    }

    /** {@code --config-path PATH} (the last one), which ccache applies as {@code CCACHE_CONFIGPATH}. */
    public Optional<String> configPath() {
        return Optional.ofNullable(configPath);
    }

    /** {@code --trim-max-size}, in bytes. */
    public OptionalLong trimMaxSize() {
        return trimMaxSize == null ? OptionalLong.empty() : OptionalLong.of(trimMaxSize);
    }

    public TrimMethod trimMethod() {
        return trimMethod;
    }

    /**
     * The caller's environment as ccache sees it after {@code -d} and {@code --config-path}
     * (which it applies with {@code setenv}): load the configuration from this. The order of
     * the caller's variables is kept; new ones come last.
     */
    public Map<String, String> environment(Map<String, String> callerEnvironment) {
        Map<String, String> env = new LinkedHashMap<>(callerEnvironment);
        if (cacheDir != null) {
            env.put("CCACHE_DIR", cacheDir);
        }
        if (configPath != null) {
            env.put("CCACHE_CONFIGPATH", configPath);
        }
        return env;
    }

    /** {@code --help}: ccache 4.7's text with our program name, plus our own options. */
    public static String help(String program) {
        try (InputStream in = CcacheCommandLine.class.getResourceAsStream("help.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("@PROGRAM@", program);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
