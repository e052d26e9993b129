package cache.node;

import cache.store.NativeLibraries;
import cache.store.UnpackedZstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cached}: the remote node. Options follow distccd's spelling where the meaning is the same. */
@Command(name = "cached", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The remote compile node of `cache`: answers probes from its own cache, compiles misses "
                + "with whitelisted compilers. See docs/cached.md.")
public final class CachedMain implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(CachedMain.class.getName());

    @Option(names = {"-p", "--port"}, description = "TCP port (default ${DEFAULT-VALUE})")
    int port = 3632;

    @Option(names = "--listen", paramLabel = "ADDR", description = "address to bind, also for --stats (default: all)")
    String listen = "0.0.0.0";

    @Option(names = {"-a", "--allow"}, paramLabel = "IP[/BITS]",
            description = "clients allowed to connect (repeatable); without it, loopback only")
    List<String> allow = new ArrayList<>();

    @Option(names = {"-j", "--jobs"}, description = "concurrent compiles (default: cores + 2)")
    Integer jobs;

    @Option(names = {"-N", "--nice"}, description = "niceness added to compilers (default ${DEFAULT-VALUE})")
    int nice = 5;

    @Option(names = "--job-lifetime", paramLabel = "S", description = "kill compiles running longer (default ${DEFAULT-VALUE} s)")
    long jobLifetime = 300;

    @Option(names = "--log-level", description = "critical, error, warning, notice, info or debug (default ${DEFAULT-VALUE})")
    String logLevel = "notice";

    @Option(names = "--log-file", description = "log here instead of standard error")
    Path logFile;

    @Option(names = {"-P", "--pid-file"}, description = "write the process id here (removed on exit)")
    Path pidFile;

    @Option(names = "--stats", description = "serve statistics over HTTP on --stats-port")
    boolean stats;

    @Option(names = "--stats-port", description = "HTTP statistics port (default ${DEFAULT-VALUE})")
    int statsPort = 3633;

    @Option(names = "--cache-dir", description = "the node's cache (default: $CACHED_DIR, else ~/.cache/cached)")
    Path cacheDir;

    @Option(names = "--max-size", paramLabel = "SIZE", description = "cache size limit: 500M, 5G, 10Gi (default ${DEFAULT-VALUE})")
    String maxSize = "5G";

    @Option(names = "--remote-storage", paramLabel = "URLS",
            description = "remote storage behind the node's cache, as ccache's remote_storage: redis://…, http://…, file:… (default: none)")
    String remoteStorage = "";

    @Option(names = "--whitelist", paramLabel = "DIR",
            description = "a compiler name may run when DIR has an entry of that name (default ${DEFAULT-VALUE})")
    Path whitelist = Path.of("/usr/lib/distcc");

    @Option(names = "--allow-any-compiler",
            description = "INSECURE: skip the whitelist, run any compiler name found on the PATH (distccd's --enable-tcp-insecure)")
    boolean allowAnyCompiler;

    @Option(names = "--compiler-path", paramLabel = "DIRS",
            description = "where compilers are looked up, colon-separated (default: $DISTCCD_PATH, else $PATH)")
    String compilerPath;

    @Option(names = "--auth-secret-file", paramLabel = "FILE",
            description = "require clients to answer an HMAC-SHA256 challenge with the secret in FILE")
    Path authSecretFile;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain (with --tls-key)")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key, PKCS#8 (with --tls-cert)")
    Path tlsKey;

    @Option(names = "--max-request-size", paramLabel = "BYTES", description = "largest frame accepted (default ${DEFAULT-VALUE})")
    int maxRequestSize = 32 << 20;

    @Option(names = "--max-connections", description = "open connections; more are closed at once (default ${DEFAULT-VALUE})")
    int maxConnections = 512;

    @Option(names = "--idle-timeout", paramLabel = "S", description = "close connections silent this long (default ${DEFAULT-VALUE} s)")
    long idleTimeout = 60;

    @Option(names = "--tmp-dir", description = "where private job directories are made (default: $TMPDIR or /tmp)")
    Path tmpDir;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        UnpackedZstd.use();
        System.exit(new CommandLine(new CachedMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        configureLogging();
        NativeLibraries.preload(); // beside the start-up below: the first store and job find them loaded
        NodeConfig config = config();
        CountDownLatch stopped = new CountDownLatch(1);
        CachedNode node = CachedNode.start(config);
        int warmUp = Integer.getInteger("cached.warmupProbes", NodeWarmup.DEFAULT_PROBES);
        if (warmUp > 0) {
            node.warmUp(warmUp);
        }
        if (pidFile != null) {
            Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            node.close();
            if (pidFile != null) {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }
            stopped.countDown();
        }, "cached-stop"));
        LOG.info("cached ready on " + node.address() + ", " + config.jobs() + " jobs, cache " + config.cacheDir());
        stopped.await();
        return 0;
    }

    NodeConfig config() throws IOException {
        NodeConfig c = new NodeConfig()
                .port(port).listen(listen).allow(List.copyOf(allow)).nice(nice)
                .jobLifetime(Duration.ofSeconds(jobLifetime)).stats(stats).statsPort(statsPort)
                .cacheDir(cacheDir != null ? cacheDir : defaultCacheDir()).maxSize(parseSize(maxSize))
                .whitelist(allowAnyCompiler ? null : whitelist).maxFrame(maxRequestSize)
                .maxConnections(maxConnections).idleTimeout(Duration.ofSeconds(idleTimeout))
                .tlsCert(tlsCert).tlsKey(tlsKey).remoteStorage(remoteStorage);
        for (String a : allow) {
            NodeServer.parseRule(a); // reject a bad --allow before binding anything
        }
        if (jobs != null) {
            if (jobs < 1 || jobs > 1000) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--jobs must be 1..1000");
            }
            c.jobs(jobs);
        }
        if (compilerPath != null) {
            List<Path> dirs = new ArrayList<>();
            for (String d : compilerPath.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
            c.searchPath(dirs);
        }
        if (tmpDir != null) {
            c.tmpDir(tmpDir);
        } else if (System.getenv("TMPDIR") != null) {
            c.tmpDir(Path.of(System.getenv("TMPDIR")));
        }
        if (authSecretFile != null) {
            c.authSecret(readSecret(authSecretFile));
        }
        return c;
    }

    /** The secret file's bytes ({@link SharedSecret#read}). */
    static byte[] readSecret(Path file) throws IOException {
        return SharedSecret.read(file);
    }

    static Path defaultCacheDir() {
        String env = System.getenv("CACHED_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cached");
    }

    /** ccache's size syntax: a number with k, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (of 1024). */
    static long parseSize(String s) {
        String t = s.trim();
        long mult = 1;
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
            {"k", "1000"}, {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad size '" + s + "' (examples: 500M, 5G, 10Gi)");
        }
    }

    private void configureLogging() throws IOException {
        Level level = switch (logLevel.toLowerCase(Locale.ROOT)) {
            case "critical", "error" -> Level.SEVERE;
            case "warning" -> Level.WARNING;
            case "notice", "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            default -> throw new CommandLine.ParameterException(new CommandLine(this),
                    "--log-level: one of critical, error, warning, notice, info, debug");
        };
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler h = logFile != null ? new FileHandler(logFile.toString(), true) : new ConsoleHandler();
        h.setFormatter(new SimpleFormatter());
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
    }
}
