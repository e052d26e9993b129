package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distributor.monitor.FarmJobs;
import cache.store.StoreUsage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MetricsTextTest {

    @Test
    void countersAreLabelledByCacheDirAndFarmGaugesByNodeAndPhase() {
        Map<Path, CacheDirectories.OpenStore> stores = new LinkedHashMap<>();
        stores.put(Path.of("/a"), new CacheDirectories.OpenStore(Map.of("cache_miss", 3L, "remote_compile", 2L),
                new StoreUsage(1000, 2, 24, 1)));
        stores.put(Path.of("/b \"q\""), new CacheDirectories.OpenStore(Map.of(), new StoreUsage(0, 0, 0, 0)));
        String out = MetricsText.render(stores, List.of(
                new FarmJobs.Row(1, 10, "n1:1", 0, "a.c", FarmJobs.Phase.COMPILE, Instant.EPOCH),
                new FarmJobs.Row(2, 11, "n1:1", 1, "b.c", FarmJobs.Phase.COMPILE, Instant.EPOCH),
                new FarmJobs.Row(3, 12, "", -1, "c.c", FarmJobs.Phase.BLOCKED, Instant.EPOCH)),
                Map.of("n1:1", true, "n2:1", false));
        for (String line : List.of(
                "# TYPE cache_cache_miss_total counter",
                "cache_cache_miss_total{cache_dir=\"/a\"} 3",
                "cache_remote_compile_total{cache_dir=\"/a\"} 2",
                "cache_kept_local_host_list_malformed_total{cache_dir=\"/a\"} 0",
                "cache_cache_miss_total{cache_dir=\"/b \\\"q\\\"\"} 0",
                "cache_local_storage_bytes{cache_dir=\"/a\"} 1024",
                "cache_local_storage_files{cache_dir=\"/a\"} 3",
                "cache_farm_jobs{node=\"n1:1\",phase=\"compile\"} 2",
                "cache_farm_jobs{node=\"\",phase=\"blocked\"} 1",
                "cache_farm_node_up{node=\"n1:1\"} 1",
                "cache_farm_node_up{node=\"n2:1\"} 0")) {
            assertTrue(out.contains("\n" + line + "\n"), line + " in:\n" + out);
        }
        for (String line : out.split("\n")) {
            assertTrue(line.startsWith("# ") || line.matches("[a-z_]+\\{[a-z_]+=\"([^\"\\\\]|\\\\.)*\"(,[a-z_]+=\"[^\"]*\")*\\} \\d+"),
                    "a line of the text format: " + line);
        }
    }

    @Test
    void theMetricsPortIsOffUnlessAskedForAndABadPortIsAnError() throws IOException {
        assertTrue(MetricsServer.fromEnvironment(Map.of(), () -> "") == null);
        assertTrue(MetricsServer.fromEnvironment(Map.of(MetricsServer.PORT, "off"), () -> "") == null);
        assertThrows(IOException.class, () -> MetricsServer.fromEnvironment(Map.of(MetricsServer.PORT, "x"), () -> ""));
        assertThrows(IOException.class,
                () -> MetricsServer.fromEnvironment(Map.of(MetricsServer.PORT, "70000"), () -> ""));
    }
}
