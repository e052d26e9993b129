package cache.frontend.daemon;

import cache.compat.CcacheHashes;
import cache.compat.Counter;
import cache.compat.StatsReport;
import cache.compat.cli.Action;
import cache.compat.cli.CcacheCommandLine;
import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.compat.config.ConfigWriter;
import cache.compat.config.ValueSyntax;
import cache.store.CompressionStats;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import cache.store.RecompressResult;
import cache.store.StoreUsage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code cache -…} / {@code ccache -…} commands the daemon answers (it owns the store, so
 * statistics, limits and eviction go through it). The command line is ccache 4.7's, parsed by
 * {@link CcacheCommandLine}; the steps run in its order, and the first failing one prints
 * {@code <program>: error: <message>} and ends the run with status 1, as in ccache.
 *
 * <p>The configuration is loaded from the caller's environment (with {@code -d} and
 * {@code --config-path} applied) and cwd, and loaded again after {@code -o}, {@code -M} and
 * {@code -F}. Steps that touch the store use the store of the configuration's {@code cache_dir}
 * (opened, and the directory created, if needed); the statistics of a directory that does not
 * exist are shown as zeros without creating it, as ccache shows them.
 */
final class AdminCommand {

    /** How long an admin command waits for the back-fills that replies left for after them. */
    private static final Duration LATE_WRITES_WAIT = Duration.ofSeconds(2);

    /** The ccache release whose behaviour we follow; shown by the {@code ccache} personality's {@code -V}. */
    static final String CCACHE_VERSION = "4.7.5";

    /** What the daemon lends to admin commands. */
    record Context(CacheDirectories directories, ConfigLoader configs, Path systemConfig, String buildVersion,
            Clock clock, Runnable stop) {}

    /** The result of one admin call. */
    record Result(String stdout, String stderr, int exitCode) {}

    private final Context ctx;
    private final String program;
    private final CcacheCommandLine cli;
    private final Map<String, String> env;
    private final Path cwd;
    private final Path stdin;
    private final StringBuilder out = new StringBuilder();
    /** Messages ccache prints in its own words (not {@code ccache: error:}), and their exit code. */
    private final StringBuilder err = new StringBuilder();
    private int status;
    private Config config;
    /** The store of the configuration's directory, once a step needed it; released at the end. */
    private CacheDirectories.Lease lease;
    /** The caller's umask: a cache directory the command creates gets the mode it gives. */
    private final int callerUmask;

    private AdminCommand(Context ctx, String program, List<String> args, Map<String, String> callerEnv, Path cwd,
            Path stdin, int callerUmask) {
        this.callerUmask = callerUmask;
        this.ctx = ctx;
        this.program = program;
        this.cli = CcacheCommandLine.parse(program, args);
        this.env = cli.environment(callerEnv);
        this.cwd = cwd;
        this.stdin = stdin;
    }

    /**
     * @param program the client's argv[0] basename ({@code cache} or {@code ccache}): messages and
     *     {@code -V} follow it
     */
    static Result run(Context ctx, String program, List<String> args, Map<String, String> env, Path cwd) {
        return run(ctx, program, args, env, cwd, null, 022);
    }

    /**
     * @param stdin the client's standard input, reopened ({@code /proc/<pid>/fd/0}), for the
     *     {@code -} of {@code --hash-file} and {@code --checksum-file}; null when unknown
     * @param umask the client's umask
     */
    static Result run(Context ctx, String program, List<String> args, Map<String, String> env, Path cwd, Path stdin,
            int umask) {
        AdminCommand command = new AdminCommand(ctx, program, args, env, cwd, stdin, umask);
        try {
            return command.run();
        } finally {
            if (command.lease != null) {
                command.lease.close();
            }
        }
    }

    private Result run() {
        for (Action a : cli.actions()) {
            try {
                if (a.kind() == Action.Kind.FAIL) {
                    return new Result(out.toString(), a.argument(), 1);
                }
                if (a.kind() == Action.Kind.HELP) {
                    out.append(CcacheCommandLine.help(program));
                    return new Result(out.toString(), "", 0);
                }
                step(a);
                if (status != 0) {
                    return new Result(out.toString(), err.toString(), status);
                }
            } catch (ConfigException e) {
                return new Result(out.toString(), err + program + ": error: " + e.getMessage() + "\n", 1);
            }
        }
        return new Result(out.toString(), err.toString(), 0);
    }

    private void step(Action a) throws ConfigException {
        switch (a.kind()) {
            case VERSION -> out.append(version());
            case SHOW_CONFIG -> out.append(config().show());
            case GET_CONFIG -> out.append(config().get(a.argument())).append('\n');
            case SET_CONFIG -> {
                ConfigWriter.setFromArgument(primaryConfigFile(), a.argument(), env);
                reload();
            }
            case MAX_SIZE -> {
                out.append(ConfigWriter.setMaxSize(primaryConfigFile(), a.argument(), env));
                reload();
            }
            case MAX_FILES -> {
                out.append(ConfigWriter.setMaxFiles(primaryConfigFile(), a.argument(), env));
                reload();
            }
            case SHOW_STATS -> out.append(report().showStats(cli.verbosity() > 0));
            case PRINT_STATS -> out.append(report().printStats());
            case ZERO_STATS -> {
                CacheDirectories.Lease store = store();
                for (Counter c : Counter.values()) {
                    store.counters().set(c.id(), 0);
                }
                store.counters().set("stats_zeroed_timestamp", ctx.clock().instant().getEpochSecond());
                out.append("Statistics zeroed\n");
            }
            case CLEAR -> store().clear(); // ccache -C prints only a progress bar, and only on a terminal
            case CLEANUP -> store().cleanup();
            case EVICT -> evict(a);
            case SHOW_COMPRESSION -> out.append(compression(localStore().compressionStats(), localStore().usage()));
            case RECOMPRESS -> out.append(recompress(a.value()));
            case CHECKSUM_FILE -> fileDigest(a.argument(), false);
            case STOP_DAEMON -> {
                out.append(program).append(": daemon stopping\n");
                ctx.stop().run();
            }
            case SHOW_LOG_STATS -> out.append(logStats());
            case HASH_FILE -> fileDigest(a.argument(), true);
            case INSPECT, EXTRACT_RESULT -> throw new ConfigException(
                    "cache stores entries in RocksDB, not in ccache's result and manifest files");
            case TRIM_DIR -> throw new ConfigException("--trim-dir is not supported by cache yet");
            case FAIL, HELP -> throw new IllegalStateException("handled by run()");
        }
    }

    /**
     * {@code ccache}'s first line is exactly ccache's ({@code ccache version 4.7.5}, which tools and
     * ccache's own suite match whole); what really answers is said on the next line. {@code cache}
     * says what it is.
     */
    private String version() {
        if (program.equals("ccache")) {
            return "ccache version " + CCACHE_VERSION + "\n" + FEATURES + "\nProvided by cache " + ctx.buildVersion()
                    + "\n";
        }
        return program + " version " + ctx.buildVersion() + " (compatible with ccache " + CCACHE_VERSION + ")\n"
                + FEATURES + "\n";
    }

    /**
     * ccache's second line: the remote storage backends there are (ccache's suites and scripts
     * look for {@code redis-storage} and the like in it), in ccache's words and order.
     */
    static final String FEATURES = "Features: file-storage http-storage redis+unix-storage redis-storage";

    private Config config() throws ConfigException {
        if (config == null) {
            config = ctx.configs().load(env, ctx.systemConfig(), cwd);
        }
        return config;
    }

    private void reload() throws ConfigException {
        config = null;
        Config c = config();
        if (lease != null && lease.dir().equals(cacheDir(c))) {
            lease.applyConfig(c); // new limits take effect at once, as the next ccache call would see them
        }
    }

    private Path primaryConfigFile() throws ConfigException {
        return cwd.resolve(config().primaryConfigPath());
    }

    private Path cacheDir(Config c) {
        return cwd.resolve(c.cacheDir()).normalize();
    }

    /**
     * The store when this daemon holds it: the steps that walk the whole store (eviction by age
     * or namespace, compression statistics and recompression) run in the process that holds it.
     */
    private LocalStore localStore() throws ConfigException {
        CacheDirectories.Lease l = store();
        return l.local().orElseThrow(() -> new ConfigException("the cache in " + l.dir() + " is held by another"
                + " user's daemon (" + l.holder() + "); run this as that user"));
    }

    /** The store of the configuration's cache directory, opened (and the directory created) if needed. */
    private CacheDirectories.Lease store() throws ConfigException {
        Config c = config();
        Path dir = cacheDir(c);
        if (lease != null && !lease.dir().equals(dir)) {
            lease.close();
            lease = null;
        }
        if (lease == null) {
            try {
                lease = ctx.directories().lease(dir, c, callerUmask);
            } catch (java.io.IOException e) {
                throw new ConfigException("cannot open the cache in " + dir + ": " + e.getMessage());
            }
        }
        lease.applyConfig(c);
        try {
            lease.pipeline().awaitLateWrites(LATE_WRITES_WAIT); // a build's back-fills land before a -C or -s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lease;
    }

    private StatsReport report() throws ConfigException {
        Config c = config();
        Path dir = cacheDir(c);
        Map<Counter, Long> values = new EnumMap<>(Counter.class);
        if (lease == null && !Files.isDirectory(dir.resolve("db"))) {
            // Nothing cached there yet: zeros, and the directory is not created (ccache -s does not).
            for (Counter counter : Counter.values()) {
                values.put(counter, 0L);
            }
            return new StatsReport(values, 0, 0, new StatsReport.Storage(dir.toString(), 0, 0, c.maxSize(),
                    c.primaryConfigPath(), c.systemConfigPath().orElse(null)));
        }
        CacheDirectories.Lease store = store();
        Map<String, Long> raw = store.counters().snapshot();
        for (Counter counter : Counter.values()) {
            values.put(counter, raw.getOrDefault(counter.id(), 0L));
        }
        StoreUsage usage = store.usage();
        return new StatsReport(values, raw.getOrDefault("stats_updated_timestamp", 0L),
                raw.getOrDefault("stats_zeroed_timestamp", 0L),
                new StatsReport.Storage(dir.toString(), usage.bytes(), usage.files(), c.maxSize(),
                        c.primaryConfigPath(), c.systemConfigPath().orElse(null)));
    }

    /** {@code --show-log-stats}: the counters named in {@code stats_log}, summed. */
    private String logStats() throws ConfigException {
        String log = config().statsLog();
        if (log.isEmpty()) {
            throw new ConfigException("No stats log has been configured");
        }
        Map<String, Counter> byName = new java.util.HashMap<>();
        for (Counter c : Counter.values()) {
            byName.put(c.id(), c);
        }
        Map<Counter, Long> values = new EnumMap<>(Counter.class);
        try {
            for (String line : Files.readAllLines(cwd.resolve(log))) {
                Counter c = byName.get(line.trim());
                if (c != null) {
                    values.merge(c, 1L, Long::sum);
                }
            }
        } catch (IOException e) {
            // ccache shows an empty summary for a log it cannot read
        }
        return new StatsReport(values, 0, 0, new StatsReport.Storage(cacheDir(config()).toString(), 0, 0, 0))
                .showLogStats(cli.verbosity() > 0);
    }

    /** ccache prints only a progress bar, and only on a terminal: nothing here. */
    private void evict(Action a) throws ConfigException {
        LocalStore store = localStore();
        if (a.argument() != null && a.value() != null) {
            store.evictNamespace(a.argument(), Duration.ofSeconds(a.value()));
        } else if (a.argument() != null) {
            store.evictNamespace(a.argument());
        } else {
            store.evictOlderThan(Duration.ofSeconds(a.value()));
        }
    }

    /** {@code -x}, in ccache 4.7's layout. Entries only: manifests are small and not recompressed. */
    static String compression(CompressionStats s, StoreUsage usage) {
        double ratio = s.ratio();
        double savings = s.uncompressedBytes() == 0 || ratio == 0 ? 0 : 100.0 - 100.0 / ratio;
        double ofOriginal = s.uncompressedBytes() == 0 ? 100.0 : 100.0 * s.storedBytes() / s.uncompressedBytes();
        return "Total data:            " + human(usage.bytes()) + " (" + human(usage.bytes()) + " disk blocks)\n"
                + "Compressed data:       " + human(s.storedBytes()) + " (" + fixed(ofOriginal, 1)
                + "% of original size)\n"
                + "  Original size:       " + human(s.uncompressedBytes()) + "\n"
                + "  Compression ratio: " + fixed(ratio, 3) + " x  (" + fixed(savings, 1) + "% space savings)\n"
                + "Incompressible data:   " + human(0) + "\n";
    }

    private String recompress(Long level) throws ConfigException {
        LocalStore store = localStore();
        EntryCodec target = level == null ? new EntryCodec(false, 0) : new EntryCodec(true, level.intValue());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        RecompressResult r = store.recompress(target, threads);
        if (r.corruptRemoved() > 0) {
            store.counters().add(Counter.CORRUPT_ENTRY.id(), r.corruptRemoved());
        }
        CompressionStats after = store.compressionStats();
        double before = r.bytesBefore() == 0 ? 0 : (double) after.uncompressedBytes() / r.bytesBefore();
        double now = r.bytesAfter() == 0 ? 0 : (double) after.uncompressedBytes() / r.bytesAfter();
        long original = after.uncompressedBytes();
        return "Original data:           " + human(original) + "\n"
                + "Old compressed data:     " + human(r.bytesBefore()) + " (" + pct(r.bytesBefore(), original)
                + "% of original size)\n"
                + "  - Compression ratio: " + fixed(before, 3) + " x  (" + savings(before) + "% space savings)\n"
                + "New compressed data:     " + human(r.bytesAfter()) + " (" + pct(r.bytesAfter(), original)
                + "% of original size)\n"
                + "  - Compression ratio: " + fixed(now, 3) + " x  (" + savings(now) + "% space savings)\n"
                + "Size change:             " + (r.bytesAfter() < r.bytesBefore() ? "-" : "")
                + human(Math.abs(r.bytesAfter() - r.bytesBefore())) + "\n";
    }

    /**
     * {@code --hash-file} (BLAKE3-160) and {@code --checksum-file} (XXH3-128) of a file or of the
     * client's standard input ({@code -}). The failures are worded as ccache 4.7 words them, and
     * a failed checksum exits 0 there, so here too.
     */
    private void fileDigest(String file, boolean blake3) {
        Path path = file.equals("-") ? stdin : cwd.resolve(file);
        try {
            if (path == null) {
                throw new IOException("the client's standard input is not reachable");
            }
            try (InputStream in = Files.newInputStream(path)) {
                out.append(blake3 ? CcacheHashes.hashFile(in) : CcacheHashes.checksumFile(in)).append('\n');
            }
        } catch (IOException | RuntimeException e) {
            if (blake3) {
                err.append("Error: Failed to hash ").append(file).append(": ").append(reason(e)).append('\n');
                status = 1;
            } else {
                err.append("Error: Failed to checksum ").append(file).append('\n');
            }
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    private static String pct(long part, long whole) {
        return fixed(whole == 0 ? 100.0 : 100.0 * part / whole, 1);
    }

    private static String savings(double ratio) {
        return fixed(ratio == 0 ? 0 : 100.0 - 100.0 / ratio, 1);
    }

    private static String human(long bytes) {
        return ValueSyntax.formatSizeHuman(bytes);
    }

    private static String fixed(double d, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", d);
    }
}
