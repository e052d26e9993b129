package cache.node;

import cache.http.PageServer;
import cache.http.PageServer.Page;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The HTTP stats port ({@code --stats}, {@code --stats-port}), behind the same {@code --allow}
 * filter as the node: {@code /} the distccd-style text page, {@code /json}, {@code /metrics}
 * (Prometheus). One request per connection, as distccd; small requests only ({@link PageServer}).
 */
final class StatsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(StatsServer.class.getName());

    private final PageServer server;

    private StatsServer(PageServer server) {
        this.server = server;
    }

    static StatsServer start(NodeConfig config, NodeStats stats) throws IOException {
        PageServer server = PageServer.start("stats", config.listen(), config.statsPort(),
                NodeServer.addressFilter(config.allow(), stats, "stats"), path -> page(path, stats, config));
        StatsServer s = new StatsServer(server);
        LOG.info("stats on http://" + s.address().getHostString() + ":" + s.address().getPort() + "/");
        return s;
    }

    private static Page page(String path, NodeStats stats, NodeConfig config) {
        Map<String, Long> s = stats.snapshot();
        s.put("jobs_limit", (long) config.jobs());
        if (path.equals("/json") || path.equals("/stats.json")) {
            return new Page("application/json", StatsFormats.json(s));
        }
        if (path.equals("/metrics")) {
            return new Page("text/plain; version=0.0.4; charset=utf-8", StatsFormats.prometheus(s));
        }
        return new Page("text/plain; charset=utf-8", StatsFormats.text(s));
    }

    InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
