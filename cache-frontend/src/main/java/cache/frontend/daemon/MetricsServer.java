package cache.frontend.daemon;

import cache.http.PageServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daemon's optional metrics port ({@code CACHE_METRICS_PORT}, off by default; on {@code
 * CACHE_METRICS_ADDRESS}, default {@code 127.0.0.1}): {@code GET /metrics} (any path) answers
 * {@link MetricsText}, one request per connection, as {@code cached}'s stats port does ({@link PageServer}).
 */
final class MetricsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetricsServer.class.getName());
    static final String PORT = "CACHE_METRICS_PORT";
    static final String ADDRESS = "CACHE_METRICS_ADDRESS";

    private final PageServer server;

    private MetricsServer(PageServer server) {
        this.server = server;
    }

    /**
     * The server {@code env} asks for, or null when it asks for none.
     *
     * @throws IOException when the port is not a number or cannot be bound (the daemon serves on without it)
     */
    static MetricsServer fromEnvironment(Map<String, String> env, Supplier<String> page) throws IOException {
        String port = env.getOrDefault(PORT, "").trim();
        if (port.isEmpty() || port.equals("off")) {
            return null;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IOException(PORT + " is not a port number: " + port);
        }
        if (p < 0 || p > 65535) {
            throw new IOException(PORT + " is not a port number: " + port);
        }
        String address = env.getOrDefault(ADDRESS, "").trim();
        MetricsServer s = new MetricsServer(PageServer.start("metrics", address.isEmpty() ? "127.0.0.1" : address, p,
                null, path -> new PageServer.Page("text/plain; version=0.0.4; charset=utf-8", page.get())));
        LOG.info("metrics on http://" + s.address().getHostString() + ":" + s.address().getPort() + "/metrics");
        return s;
    }

    InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
