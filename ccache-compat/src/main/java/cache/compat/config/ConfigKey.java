package cache.compat.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every configuration key of ccache 4.7 (the 44 that {@code ccache -p} of 4.7.5 lists), with
 * its environment variable, value type and default. This table is the single place that knows
 * them; {@code ConfigKeyTest} pins it against the real binary's output.
 *
 * <p>Environment variables are {@code CCACHE_<name>} for every name in {@link #envNames()};
 * the first is the documented one, the rest are ccache's deprecated aliases
 * ({@code CCACHE_CC}, {@code CCACHE_SECONDARY_STORAGE}). ccache strips a {@code NO} after
 * {@code CCACHE_} from every variable, so {@code CCACHE_NO<name>} works for every key: for a
 * boolean it means false, for any other type it sets the value as if {@code NO} were absent
 * ({@code CCACHE_NOCOMPILER=x} sets {@code compiler} to {@code x}).
 */
public enum ConfigKey {
    ABSOLUTE_PATHS_IN_STDERR("absolute_paths_in_stderr", Type.BOOLEAN, "false", "ABSSTDERR"),
    BASE_DIR("base_dir", Type.ABSOLUTE_PATH, "", "BASEDIR"),
    /** Default computed by {@link ConfigLoader}: legacy {@code ~/.ccache}, XDG cache home, {@code ~/.cache/ccache}. */
    CACHE_DIR("cache_dir", Type.EXPANDED_STRING, null, "DIR"),
    COMPILER("compiler", Type.STRING, "", "COMPILER", "CC"),
    COMPILER_CHECK("compiler_check", Type.STRING, "mtime", "COMPILERCHECK"),
    COMPILER_TYPE("compiler_type", Type.COMPILER_TYPE, "auto", "COMPILERTYPE"),
    COMPRESSION("compression", Type.BOOLEAN, "true", "COMPRESS"),
    COMPRESSION_LEVEL("compression_level", Type.COMPRESSION_LEVEL, "0", "COMPRESSLEVEL"),
    CPP_EXTENSION("cpp_extension", Type.STRING, "", "EXTENSION"),
    DEBUG("debug", Type.BOOLEAN, "false", "DEBUG"),
    DEBUG_DIR("debug_dir", Type.STRING, "", "DEBUGDIR"),
    DEPEND_MODE("depend_mode", Type.BOOLEAN, "false", "DEPEND"),
    DIRECT_MODE("direct_mode", Type.BOOLEAN, "true", "DIRECT"),
    DISABLE("disable", Type.BOOLEAN, "false", "DISABLE"),
    EXTRA_FILES_TO_HASH("extra_files_to_hash", Type.EXPANDED_STRING, "", "EXTRAFILES"),
    FILE_CLONE("file_clone", Type.BOOLEAN, "false", "FILECLONE"),
    HARD_LINK("hard_link", Type.BOOLEAN, "false", "HARDLINK"),
    HASH_DIR("hash_dir", Type.BOOLEAN, "true", "HASHDIR"),
    IGNORE_HEADERS_IN_MANIFEST("ignore_headers_in_manifest", Type.EXPANDED_STRING, "", "IGNOREHEADERS"),
    IGNORE_OPTIONS("ignore_options", Type.EXPANDED_STRING, "", "IGNOREOPTIONS"),
    INODE_CACHE("inode_cache", Type.BOOLEAN, "false", "INODECACHE"),
    KEEP_COMMENTS_CPP("keep_comments_cpp", Type.BOOLEAN, "false", "COMMENTS"),
    LIMIT_MULTIPLE("limit_multiple", Type.FRACTION, "0.8", "LIMIT_MULTIPLE"),
    LOG_FILE("log_file", Type.EXPANDED_STRING, "", "LOGFILE"),
    MAX_FILES("max_files", Type.UNSIGNED, "0", "MAXFILES"),
    MAX_SIZE("max_size", Type.SIZE, "5G", "MAXSIZE"),
    MSVC_DEP_PREFIX("msvc_dep_prefix", Type.EXPANDED_STRING, "Note: including file:", "MSVC_DEP_PREFIX"),
    NAMESPACE("namespace", Type.EXPANDED_STRING, "", "NAMESPACE"),
    PATH("path", Type.EXPANDED_STRING, "", "PATH"),
    PCH_EXTERNAL_CHECKSUM("pch_external_checksum", Type.BOOLEAN, "false", "PCH_EXTSUM"),
    PREFIX_COMMAND("prefix_command", Type.EXPANDED_STRING, "", "PREFIX"),
    PREFIX_COMMAND_CPP("prefix_command_cpp", Type.EXPANDED_STRING, "", "PREFIX_CPP"),
    READ_ONLY("read_only", Type.BOOLEAN, "false", "READONLY"),
    READ_ONLY_DIRECT("read_only_direct", Type.BOOLEAN, "false", "READONLY_DIRECT"),
    RECACHE("recache", Type.BOOLEAN, "false", "RECACHE"),
    REMOTE_ONLY("remote_only", Type.BOOLEAN, "false", "REMOTE_ONLY"),
    /** Also read (and written by {@code -o}) under its old name {@code secondary_storage}. */
    REMOTE_STORAGE("remote_storage", Type.EXPANDED_STRING, "", "REMOTE_STORAGE", "SECONDARY_STORAGE"),
    RESHARE("reshare", Type.BOOLEAN, "false", "RESHARE"),
    RUN_SECOND_CPP("run_second_cpp", Type.BOOLEAN, "true", "CPP2"),
    SLOPPINESS("sloppiness", Type.SLOPPINESS, "", "SLOPPINESS"),
    STATS("stats", Type.BOOLEAN, "true", "STATS"),
    STATS_LOG("stats_log", Type.EXPANDED_STRING, "", "STATSLOG"),
    /**
     * Default computed by {@link ConfigLoader}: {@code $XDG_RUNTIME_DIR/ccache-tmp} when usable,
     * else {@code <cache_dir>/tmp}. Once set explicitly (even to the empty string) it stays.
     */
    TEMPORARY_DIR("temporary_dir", Type.EXPANDED_STRING, null, "TEMPDIR"),
    UMASK("umask", Type.UMASK, "", "UMASK");

    /** The value types ccache distinguishes; each knows its syntax and its printed form. */
    public enum Type {
        /** {@code true}/{@code false} in files; set/unset ({@code CCACHE_NO…}) in the environment. */
        BOOLEAN,
        /** Taken verbatim. */
        STRING,
        /** {@code $VAR} and {@code ${VAR}} are replaced from the environment. */
        EXPANDED_STRING,
        /** Expanded, then empty or an absolute path, normalised lexically ({@code base_dir}). */
        ABSOLUTE_PATH,
        /** Bytes with k/M/G/T or Ki/Mi/Gi/Ti suffix, default G ({@code max_size}). */
        SIZE,
        /** Unsigned 64-bit decimal ({@code max_files}). */
        UNSIGNED,
        /** Integer from -128 to 127 ({@code compression_level}). */
        COMPRESSION_LEVEL,
        /** Floating point clamped to [0, 1] ({@code limit_multiple}). */
        FRACTION,
        /** One of {@link CompilerType}; anything else means auto. */
        COMPILER_TYPE,
        /** A set of {@link Sloppiness}; unknown words ignored. */
        SLOPPINESS,
        /** Octal up to 777, or empty for "leave the umask alone". */
        UMASK;

        /**
         * Parses a value as ccache's {@code Config::set_item} does. {@code env} resolves
         * {@code $VAR} references; {@code envName}/{@code negated} are set when the value comes
         * from {@code CCACHE_[NO]<envName>} (booleans have their own syntax there).
         */
        Object parse(String value, Function<String, String> env, String envName, boolean negated)
                throws ConfigException {
            return switch (this) {
                case BOOLEAN -> envName != null
                        ? ValueSyntax.parseEnvBoolean(value, negated, envName)
                        : ValueSyntax.parseFileBoolean(value);
                case STRING -> value;
                case EXPANDED_STRING -> ValueSyntax.expandEnvironment(value, env);
                case ABSOLUTE_PATH -> {
                    String p = ValueSyntax.expandEnvironment(value, env);
                    if (p.isEmpty()) {
                        yield p;
                    }
                    if (!p.startsWith("/")) {
                        throw new ConfigException("not an absolute path: \"" + p + "\"");
                    }
                    yield ValueSyntax.normalizePath(p);
                }
                case SIZE -> ValueSyntax.parseSize(value);
                case UNSIGNED -> ValueSyntax.parseUnsigned(value);
                case COMPRESSION_LEVEL -> ValueSyntax.parseSigned(value, -128, 127, "compression_level");
                case FRACTION -> {
                    double d = ValueSyntax.parseDouble(value);
                    yield d < 0 ? 0.0 : d > 1 ? 1.0 : d; // std::clamp: NaN and -0.0 pass through
                }
                case COMPILER_TYPE -> CompilerType.parse(value);
                case SLOPPINESS -> Sloppiness.parse(value);
                case UMASK -> ValueSyntax.parseUmask(value);
            };
        }

        /** The value as {@code ccache -p} and {@code ccache -k} print it. */
        @SuppressWarnings("unchecked")
        String format(Object value) {
            return switch (this) {
                case BOOLEAN -> value.toString();
                case STRING, EXPANDED_STRING, ABSOLUTE_PATH -> (String) value;
                case SIZE -> ValueSyntax.formatSizeParsable((Long) value);
                case UNSIGNED -> Long.toUnsignedString((Long) value);
                case COMPRESSION_LEVEL -> value.toString();
                case FRACTION -> ValueSyntax.fixed1((Double) value);
                case COMPILER_TYPE -> ((CompilerType) value).word();
                case SLOPPINESS -> Sloppiness.format((EnumSet<Sloppiness>) value);
                case UMASK -> ValueSyntax.formatUmask((Integer) value);
            };
        }
    }

    private static final Map<String, ConfigKey> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(ConfigKey::key, k -> k));
    private static final Map<String, ConfigKey> BY_ENV_NAME = Stream.of(values())
            .flatMap(k -> k.envNames.stream().map(n -> Map.entry(n, k)))
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    private final String key;
    private final Type type;
    private final String defaultText;
    private final List<String> envNames;

    ConfigKey(String key, Type type, String defaultText, String... envNames) {
        this.key = key;
        this.type = type;
        this.defaultText = defaultText;
        this.envNames = List.of(envNames);
    }

    /** The name in {@code ccache.conf}, {@code -o}, {@code -k} and {@code -p}. */
    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    /** The documented environment variable, e.g. {@code CCACHE_DIRECT}. */
    public String envVariable() {
        return "CCACHE_" + envNames.get(0);
    }

    /** Names after {@code CCACHE_} that set this key: the documented one first, then aliases. */
    public List<String> envNames() {
        return envNames;
    }

    /** Whether {@code CCACHE_NO<name>} means "false" (it does for every boolean). */
    public boolean hasNegatedForm() {
        return type == Type.BOOLEAN;
    }

    /**
     * The default as ccache prints it, or empty for the two defaults that depend on the
     * environment ({@code cache_dir}, {@code temporary_dir}; see {@link ConfigLoader}).
     */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    /**
     * The key for a name used in a file, {@code -o} or {@code -k}, including the old name
     * {@code secondary_storage}.
     */
    public static Optional<ConfigKey> forName(String name) {
        if (name.equals("secondary_storage")) {
            return Optional.of(REMOTE_STORAGE);
        }
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The key for the part of an environment variable after {@code CCACHE_} (and {@code NO}). */
    static Optional<ConfigKey> forEnvName(String envName) {
        return Optional.ofNullable(BY_ENV_NAME.get(envName));
    }
}
