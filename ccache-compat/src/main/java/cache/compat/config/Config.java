package cache.compat.config;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * One resolved ccache 4.7 configuration: a value and an {@link Origin} for every
 * {@link ConfigKey}, plus the files it was read from. Immutable; built by
 * {@link ConfigLoader}.
 *
 * <p>Sizes and counts are ccache's unsigned 64-bit values held in a {@code long}; values of
 * 2<sup>63</sup> and more (possible only by writing such a number) read as negative and should
 * be compared with {@link Long#compareUnsigned}.
 */
public final class Config {

    private final Object[] values;
    private final Origin[] origins;
    private final String primaryConfigPath;
    private final String systemConfigPath;

    private Config(Object[] values, Origin[] origins, String primaryConfigPath, String systemConfigPath) {
        this.values = values;
        this.origins = origins;
        this.primaryConfigPath = primaryConfigPath;
        this.systemConfigPath = systemConfigPath;
    }

    // ---------------------------------------------------------------- generic access

    /** The value as {@code ccache -k key} prints it. */
    public String get(ConfigKey key) {
        return key.type().format(values[key.ordinal()]);
    }

    /**
     * {@code ccache -k name}: the printed value of a key given by name (old names included).
     *
     * @throws ConfigException {@code unknown configuration option "name"}
     */
    public String get(String name) throws ConfigException {
        return get(ConfigKey.forName(name).orElseThrow(() -> unknownKey(name)));
    }

    public Origin origin(ConfigKey key) {
        return origins[key.ordinal()];
    }

    /**
     * {@code ccache -p}: one {@code (origin) key = value} line per key, in key order, each
     * ending in a newline. An empty value leaves a blank after {@code =}, as in ccache.
     */
    public String show() {
        StringBuilder out = new StringBuilder();
        for (ConfigKey k : ConfigKey.values()) {
            // remote storage credentials are never shown (ccache 4.7 prints them; later versions redact)
            String v = k == ConfigKey.REMOTE_STORAGE ? RemoteStorageUrl.redact(get(k)) : get(k);
            out.append('(').append(origin(k).label()).append(") ").append(k.key()).append(" = ")
                    .append(v).append('\n');
        }
        return out.toString();
    }

    /**
     * The configuration file that {@code -o}, {@code -M} and {@code -F} rewrite (and that was
     * read as the cache-specific one): {@code $CCACHE_CONFIGPATH}, else
     * {@code <cache_dir>/ccache.conf} when {@code CCACHE_DIR} or the system file names a cache
     * directory, else the user's configuration directory. Shown by {@code -sv} as "Config file".
     */
    public String primaryConfigPath() {
        return primaryConfigPath;
    }

    /** The system file that was consulted, or empty when {@code CCACHE_CONFIGPATH} is set. */
    public Optional<String> systemConfigPath() {
        return Optional.ofNullable(systemConfigPath);
    }

    static ConfigException unknownKey(String name) {
        return new ConfigException("unknown configuration option \"" + name + "\"");
    }

    // ---------------------------------------------------------------- typed getters

    private boolean bool(ConfigKey k) {
        return (Boolean) values[k.ordinal()];
    }

    private String string(ConfigKey k) {
        return (String) values[k.ordinal()];
    }

    public boolean absolutePathsInStderr() { return bool(ConfigKey.ABSOLUTE_PATHS_IN_STDERR); }

    /** Empty (no rewriting) or a normalised absolute path. */
    public String baseDir() { return string(ConfigKey.BASE_DIR); }

    public String cacheDir() { return string(ConfigKey.CACHE_DIR); }

    public String compiler() { return string(ConfigKey.COMPILER); }

    public String compilerCheck() { return string(ConfigKey.COMPILER_CHECK); }

    public CompilerType compilerType() { return (CompilerType) values[ConfigKey.COMPILER_TYPE.ordinal()]; }

    public boolean compression() { return bool(ConfigKey.COMPRESSION); }

    /** As configured: 0 means "ccache's choice" (level 1), negative values are zstd's fast levels. */
    public int compressionLevel() { return (Integer) values[ConfigKey.COMPRESSION_LEVEL.ordinal()]; }

    public String cppExtension() { return string(ConfigKey.CPP_EXTENSION); }

    public boolean debug() { return bool(ConfigKey.DEBUG); }

    public String debugDir() { return string(ConfigKey.DEBUG_DIR); }

    public boolean dependMode() { return bool(ConfigKey.DEPEND_MODE); }

    public boolean directMode() { return bool(ConfigKey.DIRECT_MODE); }

    public boolean disable() { return bool(ConfigKey.DISABLE); }

    public String extraFilesToHash() { return string(ConfigKey.EXTRA_FILES_TO_HASH); }

    public boolean fileClone() { return bool(ConfigKey.FILE_CLONE); }

    public boolean hardLink() { return bool(ConfigKey.HARD_LINK); }

    public boolean hashDir() { return bool(ConfigKey.HASH_DIR); }

    public String ignoreHeadersInManifest() { return string(ConfigKey.IGNORE_HEADERS_IN_MANIFEST); }

    public String ignoreOptions() { return string(ConfigKey.IGNORE_OPTIONS); }

    public boolean inodeCache() { return bool(ConfigKey.INODE_CACHE); }

    public boolean keepCommentsCpp() { return bool(ConfigKey.KEEP_COMMENTS_CPP); }

    /** In [0, 1] (or NaN if configured so, which ccache also lets through). */
    public double limitMultiple() { return (Double) values[ConfigKey.LIMIT_MULTIPLE.ordinal()]; }

    public String logFile() { return string(ConfigKey.LOG_FILE); }

    /** 0 means no limit. */
    public long maxFiles() { return (Long) values[ConfigKey.MAX_FILES.ordinal()]; }

    /** In bytes; 0 means no limit. */
    public long maxSize() { return (Long) values[ConfigKey.MAX_SIZE.ordinal()]; }

    public String msvcDepPrefix() { return string(ConfigKey.MSVC_DEP_PREFIX); }

    public String namespace() { return string(ConfigKey.NAMESPACE); }

    public String path() { return string(ConfigKey.PATH); }

    public boolean pchExternalChecksum() { return bool(ConfigKey.PCH_EXTERNAL_CHECKSUM); }

    public String prefixCommand() { return string(ConfigKey.PREFIX_COMMAND); }

    public String prefixCommandCpp() { return string(ConfigKey.PREFIX_COMMAND_CPP); }

    public boolean readOnly() { return bool(ConfigKey.READ_ONLY); }

    public boolean readOnlyDirect() { return bool(ConfigKey.READ_ONLY_DIRECT); }

    public boolean recache() { return bool(ConfigKey.RECACHE); }

    public boolean remoteOnly() { return bool(ConfigKey.REMOTE_ONLY); }

    public String remoteStorage() { return string(ConfigKey.REMOTE_STORAGE); }

    public boolean reshare() { return bool(ConfigKey.RESHARE); }

    public boolean runSecondCpp() { return bool(ConfigKey.RUN_SECOND_CPP); }

    @SuppressWarnings("unchecked")
    public Set<Sloppiness> sloppiness() {
        return Collections.unmodifiableSet((EnumSet<Sloppiness>) values[ConfigKey.SLOPPINESS.ordinal()]);
    }

    public boolean stats() { return bool(ConfigKey.STATS); }

    public String statsLog() { return string(ConfigKey.STATS_LOG); }

    public String temporaryDir() { return string(ConfigKey.TEMPORARY_DIR); }

    /** Empty when not configured (the process umask is left alone). */
    public OptionalInt umask() {
        int u = (Integer) values[ConfigKey.UMASK.ordinal()];
        return u < 0 ? OptionalInt.empty() : OptionalInt.of(u);
    }

    /**
     * This configuration with {@code prefix_command} replaced, its origin kept: the daemon's view
     * of a call found behind distcc's masquerade link, whose {@code distcc} becomes the prefix.
     */
    public Config withPrefixCommand(String command) {
        Object[] v = values.clone();
        v[ConfigKey.PREFIX_COMMAND.ordinal()] = command;
        return new Config(v, origins, primaryConfigPath, systemConfigPath);
    }

    // ---------------------------------------------------------------- building

    /** Mutable state while {@link ConfigLoader} applies files and the environment in order. */
    static final class Builder {
        private final Object[] values = new Object[ConfigKey.values().length];
        private final Origin[] origins = new Origin[ConfigKey.values().length];
        private boolean temporaryDirExplicit;

        /** Every key's default, parsed once: values are immutable or never modified. */
        private static final Object[] DEFAULTS = new Object[ConfigKey.values().length];

        static {
            for (ConfigKey k : ConfigKey.values()) {
                try {
                    DEFAULTS[k.ordinal()] = k.type().parse(k.defaultText().orElse(""), name -> null, null, false);
                } catch (ConfigException e) {
                    throw new ExceptionInInitializerError("bad default for " + k.key() + ": " + e.getMessage());
                }
            }
        }

        Builder() {
            System.arraycopy(DEFAULTS, 0, values, 0, values.length);
            java.util.Arrays.fill(origins, Origin.DEFAULT);
        }

        /** Parses and stores one value, as ccache's {@code Config::set_item}. */
        void set(ConfigKey key, String raw, Origin origin, Function<String, String> env,
                String envName, boolean negated) throws ConfigException {
            values[key.ordinal()] = key.type().parse(raw, env, envName, negated);
            origins[key.ordinal()] = origin;
            if (key == ConfigKey.TEMPORARY_DIR) {
                temporaryDirExplicit = true;
            }
        }

        /** Replaces a value without changing its origin (computed defaults). */
        void setComputed(ConfigKey key, Object value) {
            values[key.ordinal()] = value;
        }

        String string(ConfigKey key) {
            return (String) values[key.ordinal()];
        }

        boolean temporaryDirExplicit() {
            return temporaryDirExplicit;
        }

        Config build(String primaryConfigPath, String systemConfigPath) {
            return new Config(values.clone(), origins.clone(), primaryConfigPath, systemConfigPath);
        }
    }
}
