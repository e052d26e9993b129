package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP stats port: distccd-style text, JSON and Prometheus, behind the same --allow filter. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatsHttpIT {

    @TempDir
    Path dir;

    @Test
    void servesTextJsonAndPrometheus() throws Exception {
        CompilerSpec gcc = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 3).stats(true)
                .allow(List.of("127.0.0.1/32"));
        try (CachedNode node = CachedNode.start(config); NodeClient c = NodeFixture.connect(node)) {
            c.compile(NodeFixture.key("s"), gcc, "cpp-output", List.of(), input).get();
            c.probe(NodeFixture.key("s"), gcc).get();
            try {
                c.compile(NodeFixture.key("s2"), gcc, "cpp-output", List.of("-o", "x"), input).get();
            } catch (ExecutionException expected) {
                // counted as refused_forbidden_argument
            }
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + node.statsAddress().getPort();

            String text = get(http, base + "/");
            assertTrue(text.startsWith("argv /cached\n<distccstats>\n"), text);
            assertTrue(text.contains("\ndcc_compile_ok 1\n"), text);
            assertTrue(text.contains("\ndcc_rej_bad_req 1\n"), text);
            assertTrue(text.contains("\nnode_hits 1\n"), text);
            assertTrue(text.contains("\nrefused_forbidden_argument 1\n"), text);
            assertTrue(text.endsWith("</distccstats>\n"), text);

            String json = get(http, base + "/json");
            assertTrue(json.contains("\"compiles_ok\": 1"), json);
            assertTrue(json.contains("\"jobs_limit\": 3"), json);
            assertTrue(json.trim().startsWith("{") && json.trim().endsWith("}"), json);

            String prom = get(http, base + "/metrics");
            assertTrue(prom.contains("# TYPE cached_jobs_running gauge\ncached_jobs_running 0\n"), prom);
            assertTrue(prom.contains("cached_compiles_ok_total 1\n"), prom);
            assertTrue(prom.contains("cached_node_hits_total 1\n"), prom);
            assertTrue(prom.contains("cached_refused_total{reason=\"forbidden_argument\"} 1\n"), prom);
            assertTrue(prom.contains("cached_bytes_in_total "), prom);
            for (String line : prom.split("\n")) {
                assertTrue(line.matches("# TYPE [a-z_]+ (gauge|counter)|[a-z_]+(\\{reason=\"[a-z_]+\"\\})? \\d+"),
                        line);
            }

            try (Socket outsider = new Socket()) {
                outsider.bind(new InetSocketAddress("127.0.0.2", 0));
                outsider.setSoTimeout(10_000);
                outsider.connect(node.statsAddress());
                outsider.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = outsider.getInputStream();
                try {
                    assertEquals(-1, in.read(), "the stats port is behind --allow too");
                } catch (java.net.SocketException reset) {
                    // closed as well
                }
            }
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }
}
