package cache.compat.config;

import cache.hashing.FileStat;
import cache.hashing.FileWatch;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves a ccache 4.7 configuration from a caller's environment, exactly as ccache's
 * {@code Config::read} does (verified against Debian's ccache 4.7.5):
 *
 * <ol>
 *   <li>If {@code CCACHE_CONFIGPATH} is set (even empty), it names the only file read.
 *   <li>Otherwise the system file is read first, then the cache-specific file:
 *       {@code $CCACHE_DIR/ccache.conf} if {@code CCACHE_DIR} is set, else
 *       {@code <cache_dir>/ccache.conf} if the system file set a non-empty {@code cache_dir},
 *       else {@code ~/.ccache/ccache.conf} if that legacy directory exists, else
 *       {@code $XDG_CONFIG_HOME/ccache/ccache.conf} if {@code XDG_CONFIG_HOME} is set, else
 *       {@code ~/.config/ccache/ccache.conf}. Note that by default this is not
 *       {@code <cache_dir>/ccache.conf}: a {@code cache_dir} set in the cache-specific file
 *       moves the cache, not the configuration.
 *   <li>{@code CCACHE_*} variables override both, in the order the environment lists them
 *       (with {@code CCACHE_X} and {@code CCACHE_NOX} both set, the later one wins; pass a
 *       {@link java.util.LinkedHashMap} in {@code environ} order to keep that faithful).
 *   <li>An empty {@code cache_dir} becomes the default: {@code ~/.ccache} if it is a directory,
 *       else {@code $XDG_CACHE_HOME/ccache}, else {@code ~/.cache/ccache}. Unless
 *       {@code temporary_dir} was set explicitly, it becomes {@code $XDG_RUNTIME_DIR/ccache-tmp}
 *       when that directory exists and the subdirectory can be created and written, else
 *       {@code <cache_dir>/tmp}.
 * </ol>
 *
 * <p>Files are read once and kept, parsed, in a small Caffeine cache keyed by path and
 * checked against the file's size, modification time and inode on every load, so a load per
 * request costs a few {@code stat} calls; with a {@link FileWatch} (the daemon's), those stat
 * data come from memory while inotify reports no change, and so does the temporary directory's
 * "is a writable directory". Values are parsed again on each load because
 * {@code $VAR} references depend on the caller's environment. A file that does not exist or
 * cannot be read is skipped, as in ccache. Thread-safe.
 */
public final class ConfigLoader {

    /** Where Debian's ccache looks for the system file. */
    public static final Path SYSTEM_CONFIG = Path.of("/etc/ccache.conf");

    private final Cache<Path, CachedFile> files = Caffeine.newBuilder().maximumSize(256).build();

    private record CachedFile(FileStat stat, ConfigFile content) {}

    /** Where change notification answers stats ({@code null}: every load stats). */
    private final FileWatch watch;
    /** Temporary directories found writable, kept while nothing on their paths changed. */
    private final Cache<Path, FileWatch.Dependencies> writable = Caffeine.newBuilder().maximumSize(64).build();

    /** A loader that stats the files on every load. */
    public ConfigLoader() {
        this(null);
    }

    /** @param watch inotify's word on changes, or {@code null} */
    public ConfigLoader(FileWatch watch) {
        this.watch = watch;
    }

    /** As {@link #load(Map, Path, Path)} with paths resolved against this process's directory. */
    public Config load(Map<String, String> env, Path systemConfig) throws ConfigException {
        return load(env, systemConfig, Path.of("").toAbsolutePath());
    }

    /**
     * The configuration ccache would see when run with {@code env} in {@code cwd}.
     *
     * @param env the caller's environment; iteration order decides between a
     *     {@code CCACHE_X}/{@code CCACHE_NOX} pair
     * @param systemConfig the system file ({@link #SYSTEM_CONFIG} outside tests)
     * @param cwd the caller's working directory, against which relative paths are read
     * @throws ConfigException the first invalid value or line, in ccache's words and with its
     *     {@code path:line:} or {@code CCACHE_X:} prefix
     */
    public Config load(Map<String, String> env, Path systemConfig, Path cwd) throws ConfigException {
        return load(env, systemConfig, cwd, System.nanoTime());
    }

    /**
     * {@link #load(Map, Path, Path)} for a call that began at {@code since} ({@link
     * System#nanoTime()}): the files as they were then at the earliest (see {@link
     * FileWatch#session(long)}; the call's later lookups need not read the watch's queue again).
     */
    public Config load(Map<String, String> env, Path systemConfig, Path cwd, long since) throws ConfigException {
        Function<String, String> getenv = env::get;
        String home = env.containsKey("HOME") ? env.get("HOME") : System.getProperty("user.home");
        FileWatch.Session session = watch == null ? null : watch.session(since);
        FileStat legacy = stat(cwd.resolve(home + "/.ccache"), session);
        boolean legacyExists = legacy != null && legacy.directory();
        Config.Builder b = new Config.Builder();

        String primary;
        String system = null;
        String configPathEnv = env.get("CCACHE_CONFIGPATH");
        if (configPathEnv != null) {
            primary = configPathEnv;
        } else {
            system = systemConfig.toString();
            apply(b, system, cwd, getenv, session);
            String ccacheDirEnv = env.get("CCACHE_DIR");
            String dir = ccacheDirEnv != null ? ccacheDirEnv : b.string(ConfigKey.CACHE_DIR);
            String xdgConfigHome = env.get("XDG_CONFIG_HOME");
            if (!dir.isEmpty()) {
                primary = ValueSyntax.normalizePath(dir + "/ccache.conf");
            } else if (legacyExists) {
                primary = ValueSyntax.normalizePath(home + "/.ccache/ccache.conf");
            } else if (xdgConfigHome != null) {
                primary = ValueSyntax.normalizePath(join(xdgConfigHome, "ccache/ccache.conf"));
            } else {
                primary = ValueSyntax.normalizePath(home + "/.config/ccache/ccache.conf");
            }
        }
        apply(b, primary, cwd, getenv, session);
        applyEnvironment(b, env);

        if (b.string(ConfigKey.CACHE_DIR).isEmpty()) {
            String xdgCacheHome = env.get("XDG_CACHE_HOME");
            String dir;
            if (legacyExists) {
                dir = home + "/.ccache";
            } else if (xdgCacheHome != null) {
                dir = ValueSyntax.normalizePath(join(xdgCacheHome, "ccache"));
            } else {
                dir = home + "/.cache/ccache";
            }
            b.setComputed(ConfigKey.CACHE_DIR, dir);
        }
        if (!b.temporaryDirExplicit()) {
            b.setComputed(ConfigKey.TEMPORARY_DIR, defaultTemporaryDir(env, b.string(ConfigKey.CACHE_DIR), cwd, session));
        }
        return b.build(primary, system);
    }

    private static String join(String dir, String rest) {
        return dir.isEmpty() ? rest : dir + "/" + rest;
    }

    /** {@code path}'s stat data following links, {@code null} when absent or unreadable. */
    private static FileStat stat(Path path, FileWatch.Session session) {
        try {
            return session != null ? session.statOrNull(path.toString()) : FileStat.ofOrNull(path);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private String defaultTemporaryDir(Map<String, String> env, String cacheDir, Path cwd,
            FileWatch.Session session) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            String dir = runtime + "/ccache-tmp";
            Path p = cwd.resolve(dir);
            FileWatch.Dependencies known = session == null ? null : writable.getIfPresent(p);
            if (known != null && known.unchanged()) {
                return dir; // a mode, owner or mount change on its path is an event
            }
            try {
                // ccache creates it at this point too. Looked at first, one stat on every call:
                // creating a directory that exists costs a failed mkdir and an exception.
                if (!Files.isDirectory(p)) {
                    if (!Files.isDirectory(cwd.resolve(runtime))) {
                        return cacheDir + "/tmp";
                    }
                    Files.createDirectories(p);
                }
                if (Files.isWritable(p)) {
                    if (session != null) {
                        session.record();
                        FileStat st = stat(p, session);
                        FileWatch.Dependencies d = session.recorded();
                        if (st != null && st.directory() && d != null) {
                            writable.put(p, d);
                        }
                    }
                    return dir;
                }
            } catch (IOException | SecurityException e) {
                // fall through to <cache_dir>/tmp, as ccache does
            }
        }
        return cacheDir + "/tmp";
    }

    /** Applies one file's lines in order; unknown keys are ignored, as in ccache. */
    private void apply(Config.Builder b, String path, Path cwd, Function<String, String> env,
            FileWatch.Session session) throws ConfigException {
        ConfigFile file = read(path, cwd, session);
        if (file == null) {
            return;
        }
        Origin origin = Origin.file(path);
        for (ConfigFile.Line line : file.lines()) {
            if (line.error() != null) {
                throw new ConfigException(line.error()).at(path + ":" + line.number());
            }
            if (line.key() == null) {
                continue;
            }
            ConfigKey key = ConfigKey.forName(line.key()).orElse(null);
            if (key == null) {
                continue;
            }
            try {
                b.set(key, line.value(), origin, env, null, false);
            } catch (ConfigException e) {
                throw e.at(path + ":" + line.number());
            }
        }
    }

    private static void applyEnvironment(Config.Builder b, Map<String, String> env) throws ConfigException {
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("CCACHE_")) {
                continue;
            }
            String rest = name.substring("CCACHE_".length());
            boolean negated = rest.startsWith("NO");
            if (negated) {
                rest = rest.substring(2);
            }
            ConfigKey key = ConfigKey.forEnvName(rest).orElse(null);
            if (key == null) {
                continue;
            }
            try {
                b.set(key, e.getValue(), Origin.ENVIRONMENT, env::get, rest, negated);
            } catch (ConfigException ex) {
                throw ex.at(name);
            }
        }
    }

    /** The parsed file, from the cache when its size, mtime and inode are unchanged; null if absent. */
    private ConfigFile read(String path, Path cwd, FileWatch.Session session) {
        if (path.isEmpty()) {
            return null;
        }
        Path p = cwd.resolve(path); // not normalised: "link/.." must mean what the OS says
        FileStat st = stat(p, session);
        if (st == null) {
            files.invalidate(p);
            return null;
        }
        if (!st.regular()) {
            return null;
        }
        CachedFile cached = files.getIfPresent(p);
        if (cached != null && sameFile(cached.stat(), st)) {
            return cached.content();
        }
        try {
            ConfigFile content = ConfigFile.parse(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
            files.put(p, new CachedFile(st, content));
            return content;
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** The same contents as far as stat data tell (size, mtime, inode and device; not ctime, changed by a chmod). */
    private static boolean sameFile(FileStat a, FileStat b) {
        return a.size() == b.size() && a.mtimeNanos() == b.mtimeNanos() && a.inode() == b.inode()
                && a.device() == b.device();
    }
}
