package cache.compat.cli;

/**
 * One step of a {@code ccache -…} run, in the order ccache performs them. The executor runs
 * the steps one by one; a step that fails (a {@code ConfigException} from {@code -o},
 * {@code -k}, {@code -M}…) prints {@code <program>: error: <message>} and ends the run with
 * status 1, so the steps before it have happened and the ones after it do not, as in ccache.
 *
 * @param kind what to do
 * @param argument the option's argument as given, or for {@link Kind#EVICT} the namespace
 *     (null when none), for {@link Kind#FAIL} the complete text to print on stderr
 * @param value the argument's number where the kind has one: bytes for {@link Kind#MAX_SIZE},
 *     files for {@link Kind#MAX_FILES}, the level for {@link Kind#RECOMPRESS} (null for
 *     {@code uncompressed}), seconds for {@link Kind#EVICT} (null when no age was given)
 */
public record Action(Kind kind, String argument, Long value) {

    public enum Kind {
        /** {@code --checksum-file PATH}: print the XXH3-128 checksum of PATH ({@code -} = stdin). */
        CHECKSUM_FILE,
        /** {@code -c}: clean up to the limits and recount. */
        CLEANUP,
        /** {@code -C}: remove every cached entry, keep the configuration. */
        CLEAR,
        /**
         * After all other steps when {@code --evict-namespace} and/or {@code --evict-older-than}
         * was given (the last of each counts): remove matching entries.
         */
        EVICT,
        /** {@code --extract-result PATH}. */
        EXTRACT_RESULT,
        /** Print {@link #argument()} to stderr and exit with status 1 (usage and value errors). */
        FAIL,
        /** {@code -k KEY}: print the value; {@code unknown configuration option "KEY"} otherwise. */
        GET_CONFIG,
        /** {@code --hash-file PATH}: print the BLAKE3 hash ccache would compute. */
        HASH_FILE,
        /** {@code -h}: print the help on stdout and exit 0; always the last step. */
        HELP,
        /** {@code --inspect PATH} (and its old names {@code --dump-manifest}, {@code --dump-result}). */
        INSPECT,
        /** {@code -F N}: write max_files to the configuration file; print "Set cache file limit to N". */
        MAX_FILES,
        /** {@code -M SIZE}: write max_size (the argument as given); print "Set cache size limit to 1.0 GB". */
        MAX_SIZE,
        /** {@code --print-stats}. */
        PRINT_STATS,
        /** {@code -X LEVEL|uncompressed}. */
        RECOMPRESS,
        /**
         * {@code -o KEY=VALUE}; afterwards the configuration is read again, so a later
         * {@code -k} or {@code -p} in the same run sees the new value (unless the environment
         * overrides it).
         */
        SET_CONFIG,
        /** {@code -x}. */
        SHOW_COMPRESSION,
        /** {@code -p}. */
        SHOW_CONFIG,
        /** {@code --show-log-stats} (verbosity from {@link CcacheCommandLine#verbosity()}). */
        SHOW_LOG_STATS,
        /** {@code -s} (verbosity from {@link CcacheCommandLine#verbosity()}). */
        SHOW_STATS,
        /** Ours: {@code --stop-daemon}. */
        STOP_DAEMON,
        /** {@code --trim-dir PATH} with {@link CcacheCommandLine#trimMaxSize()} and trim method. */
        TRIM_DIR,
        /** {@code -V}: print the version; the run goes on. */
        VERSION,
        /** {@code -z}: zero the statistics, print "Statistics zeroed". */
        ZERO_STATS
    }

    static Action of(Kind kind) {
        return new Action(kind, null, null);
    }

    static Action of(Kind kind, String argument) {
        return new Action(kind, argument, null);
    }
}
