package cache.frontend.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the local daemon; started by the native client, see docs/client-protocol.md. */
@Command(name = "cache-daemon", mixinStandardHelpOptions = true, description = "The local daemon of `cache`.")
public final class DaemonMain implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(DaemonMain.class.getName());

    @Option(names = "--socket", required = true, description = "Unix socket to listen on")
    Path socket;

    @Option(names = "--client", description = "the native client, used to supervise compiles")
    Path client;

    @Option(names = "--idle-timeout", description = "seconds without requests before exiting (default: $CACHE_IDLE_TIMEOUT or 3600)")
    Long idleTimeout;

    @Option(names = "--store-idle-timeout", description = "seconds without calls before a cache directory's store is closed (default: $CACHE_STORE_IDLE_TIMEOUT or 600)")
    Long storeIdleTimeout;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        System.exit(new CommandLine(new DaemonMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long idle = idleTimeout != null ? idleTimeout : envLong("CACHE_IDLE_TIMEOUT", 3600);
        long storeIdle = storeIdleTimeout != null ? storeIdleTimeout : envLong("CACHE_STORE_IDLE_TIMEOUT", 600);
        DaemonConfig config = new DaemonConfig(socket.toAbsolutePath(), client, Duration.ofSeconds(idle),
                Duration.ofSeconds(storeIdle), buildVersion());
        try (Daemon daemon = new Daemon(config)) {
            daemon.start();
            daemon.awaitStop();
        }
        LOG.info("stopped");
        return 0;
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
