package cache.compat.cli;

import java.util.List;

/**
 * The options ccache 4.7 accepts when run as {@code ccache -…} (not as a compiler), in the
 * order of its {@code long_options} table, which getopt_long's ambiguity messages follow.
 * The order and the hidden entries ({@code --directory}, {@code --dump-manifest},
 * {@code --dump-result}) were read from {@code ccache --=x}, which lists every long option.
 *
 * <p>{@link #STOP_DAEMON} is ours. It only matches when spelled out in full, so it never
 * makes a ccache abbreviation ambiguous and never shows up in ccache's messages.
 */
public enum CcacheOption {
    CHECKSUM_FILE(0, true, Pass.ACTION, "checksum-file"),
    CLEANUP('c', false, Pass.ACTION, "cleanup"),
    CLEAR('C', false, Pass.ACTION, "clear"),
    CONFIG_PATH(0, true, Pass.SETTING, "config-path"),
    /** {@code --directory} is ccache's older spelling, still accepted. */
    DIR('d', true, Pass.SETTING, "dir", "directory"),
    /** Older spelling of {@link #INSPECT}. */
    DUMP_MANIFEST(0, true, Pass.ACTION, "dump-manifest"),
    /** Older spelling of {@link #INSPECT}. */
    DUMP_RESULT(0, true, Pass.ACTION, "dump-result"),
    EVICT_NAMESPACE(0, true, Pass.ACTION, "evict-namespace"),
    EVICT_OLDER_THAN(0, true, Pass.ACTION, "evict-older-than"),
    EXTRACT_RESULT(0, true, Pass.ACTION, "extract-result"),
    GET_CONFIG('k', true, Pass.ACTION, "get-config"),
    HASH_FILE(0, true, Pass.ACTION, "hash-file"),
    HELP('h', false, Pass.ACTION, "help"),
    INSPECT(0, true, Pass.ACTION, "inspect"),
    MAX_FILES('F', true, Pass.ACTION, "max-files"),
    MAX_SIZE('M', true, Pass.ACTION, "max-size"),
    PRINT_STATS(0, false, Pass.ACTION, "print-stats"),
    RECOMPRESS('X', true, Pass.ACTION, "recompress"),
    SET_CONFIG('o', true, Pass.ACTION, "set-config"),
    SHOW_COMPRESSION('x', false, Pass.ACTION, "show-compression"),
    SHOW_CONFIG('p', false, Pass.ACTION, "show-config"),
    SHOW_LOG_STATS(0, false, Pass.ACTION, "show-log-stats"),
    SHOW_STATS('s', false, Pass.ACTION, "show-stats"),
    TRIM_DIR(0, true, Pass.ACTION, "trim-dir"),
    TRIM_MAX_SIZE(0, true, Pass.SETTING, "trim-max-size"),
    TRIM_METHOD(0, true, Pass.SETTING, "trim-method"),
    VERBOSE('v', false, Pass.SETTING, "verbose"),
    VERSION('V', false, Pass.ACTION, "version"),
    ZERO_STATS('z', false, Pass.ACTION, "zero-stats"),

    /** Ours: stop the daemon that serves this cache directory. */
    STOP_DAEMON(0, false, Pass.ACTION, "stop-daemon");

    /**
     * ccache reads its options twice: first the ones that change how the others work (cache
     * directory, configuration file, verbosity, trim settings), wherever they stand, then the
     * actions in command-line order. So {@code ccache -s -d DIR} shows DIR's statistics.
     */
    public enum Pass { SETTING, ACTION }

    private final char shortName;
    private final boolean takesArgument;
    private final Pass pass;
    private final List<String> longNames;

    CcacheOption(int shortName, boolean takesArgument, Pass pass, String... longNames) {
        this.shortName = (char) shortName;
        this.takesArgument = takesArgument;
        this.pass = pass;
        this.longNames = List.of(longNames);
    }

    /** The one-letter form, or 0 if there is none. */
    public char shortName() {
        return shortName;
    }

    public boolean takesArgument() {
        return takesArgument;
    }

    public Pass pass() {
        return pass;
    }

    /** Long names without the leading {@code --}, the documented one first. */
    public List<String> longNames() {
        return longNames;
    }

    /** Whether ccache 4.7 knows the option ({@link #STOP_DAEMON} is ours). */
    public boolean isCcacheOption() {
        return this != STOP_DAEMON;
    }
}
