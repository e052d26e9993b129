package cache.frontend.daemon;

import cache.store.NativeLibraries;
import cache.store.UnpackedZstd;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Entry point of the local daemon; started by the native client, see docs/client-protocol.md.
 *
 * <p>Its command line is the client's, four options at most, parsed here by hand: picocli, which
 * parsed it before, is compiled for Java 5, and the JVM's AOT cache keeps no class of a version
 * before Java 6, so its ~170 classes were read from the jar and verified by the old verifier on
 * every daemon start, ~0.1–0.2 s of the start a build's first call waits for (docs/benchmarks.md,
 * "Session 19"). The node ({@code cached}), long-lived and started by hand, keeps picocli.
 */
public final class DaemonMain {

    private static final Logger LOG = Logger.getLogger(DaemonMain.class.getName());

    static final String USAGE = """
            Usage: cache-daemon --socket=PATH [--client=PATH] [--idle-timeout=SECONDS]
                                [--store-idle-timeout=SECONDS] [-h] [-V]
            The local daemon of `cache`.
                  --socket=PATH     Unix socket to listen on
                  --client=PATH     the native client, used to supervise compiles
                  --idle-timeout=SECONDS
                                    seconds without requests before exiting (default: $CACHE_IDLE_TIMEOUT or 3600)
                  --store-idle-timeout=SECONDS
                                    seconds without calls before a cache directory's store is closed
                                    (default: $CACHE_STORE_IDLE_TIMEOUT or 600)
              -h, --help            Show this help message and exit.
              -V, --version         Print version information and exit.
            """;

    /** The parsed command line. */
    record Options(Path socket, Path client, Long idleTimeout, Long storeIdleTimeout, boolean help, boolean version) {}

    /** A command line that cannot be run, with what is wrong in words for the user. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code args} as options ({@code --name value} or {@code --name=value}); throws for anything else. */
    static Options parse(String[] args) throws UsageException {
        Path socket = null;
        Path client = null;
        Long idle = null;
        Long storeIdle = null;
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                help = true;
                continue;
            }
            if (a.equals("-V") || a.equals("--version")) {
                version = true;
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            if (!name.equals("--socket") && !name.equals("--client") && !name.equals("--idle-timeout")
                    && !name.equals("--store-idle-timeout")) {
                throw new UsageException("Unknown option: '" + a + "'");
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("Missing required parameter for option '" + name + "'");
            }
            switch (name) {
                case "--socket" -> socket = Path.of(value);
                case "--client" -> client = Path.of(value);
                case "--idle-timeout" -> idle = seconds(name, value);
                default -> storeIdle = seconds(name, value);
            }
        }
        if (socket == null && !help && !version) {
            throw new UsageException("Missing required option: '--socket=PATH'");
        }
        return new Options(socket, client, idle, storeIdle, help, version);
    }

    private static long seconds(String option, String value) throws UsageException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("Invalid value for option '" + option + "': '" + value + "' is not a number of seconds");
        }
    }

    public static void main(String[] args) {
        // The log's line format, unless CACHE_JAVA_OPTS sets one (-Djava.util.logging.SimpleFormatter.format=…,
        // e.g. with milliseconds, to time a start-up).
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        // Netty logs through java.util.logging, as the daemon does. Left to choose, it would find
        // SLF4J (on the class path for Jedis, with no binding: its lines would go nowhere) and pay
        // for the search on every start, SLF4J 1.7 being Java 5 classes the AOT cache cannot keep.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        UnpackedZstd.use();
        System.exit(run(args, System.out, System.err));
    }

    /** The daemon's whole run for {@code args}; its exit status (2: a command line it cannot run). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            if (o.help()) {
                out.print(USAGE);
                return 0;
            }
            if (o.version()) {
                out.println(buildVersion());
                return 0;
            }
            NativeLibraries.preload(); // beside the start-up below: the first store and call find them loaded
            long idle = o.idleTimeout() != null ? o.idleTimeout() : envLong("CACHE_IDLE_TIMEOUT", 3600);
            long storeIdle = o.storeIdleTimeout() != null ? o.storeIdleTimeout() : envLong("CACHE_STORE_IDLE_TIMEOUT", 600);
            DaemonConfig config = new DaemonConfig(o.socket().toAbsolutePath(), o.client(), Duration.ofSeconds(idle),
                    Duration.ofSeconds(storeIdle), buildVersion());
            try (Daemon daemon = new Daemon(config)) {
                daemon.start();
                daemon.awaitStop();
            }
            LOG.info("stopped");
            return 0;
        } catch (Exception e) {
            e.printStackTrace(err);
            return 1;
        }
    }

    /** The version string shared with the native client (both are stamped by the same build). */
    static String buildVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = DaemonMain.class.getResourceAsStream("/cache/frontend/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return p.getProperty("version", "dev");
    }

    private static long envLong(String name, long fallback) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            LOG.warning(name + "=" + v + " is not a number of seconds; using " + fallback);
            return fallback;
        }
    }
}
