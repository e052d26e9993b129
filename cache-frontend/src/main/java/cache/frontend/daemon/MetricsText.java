package cache.frontend.daemon;

import cache.compat.Counter;
import cache.distributor.monitor.FarmJobs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The daemon's metrics in Prometheus' text exposition format (version 0.0.4): every statistics
 * counter of every store it holds open, as {@code cache_<name>_total{cache_dir="…"}} with the
 * names {@code --print-stats} prints; each store's size and files; and the farm's gauges: jobs in
 * flight by node and phase ({@code cache_farm_jobs}, node {@code ""} while a job holds none) and
 * whether each node is healthy ({@code cache_farm_node_up}).
 */
final class MetricsText {

    private MetricsText() {}

    static String render(Map<Path, CacheDirectories.OpenStore> stores, List<FarmJobs.Row> jobs,
            Map<String, Boolean> nodes) {
        StringBuilder out = new StringBuilder();
        for (Counter c : Counter.values()) {
            String name = "cache_" + c.id() + "_total";
            out.append("# HELP ").append(name).append(' ').append(c.description()).append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            stores.forEach((dir, s) -> sample(out, name, "cache_dir", dir.toString(),
                    s.counters().getOrDefault(c.id(), 0L)));
        }
        out.append("# HELP cache_local_storage_bytes Size of the local store\n");
        out.append("# TYPE cache_local_storage_bytes gauge\n");
        stores.forEach((dir, s) -> sample(out, "cache_local_storage_bytes", "cache_dir", dir.toString(),
                s.usage().bytes()));
        out.append("# HELP cache_local_storage_files Files (entries and manifests) in the local store\n");
        out.append("# TYPE cache_local_storage_files gauge\n");
        stores.forEach((dir, s) -> sample(out, "cache_local_storage_files", "cache_dir", dir.toString(),
                s.usage().files()));

        Map<String, Long> byNodeAndPhase = new TreeMap<>();
        for (FarmJobs.Row r : jobs) {
            byNodeAndPhase.merge(label("node", r.node()) + "," + label("phase",
                    r.phase().label().toLowerCase(Locale.ROOT)), 1L, Long::sum);
        }
        out.append("# HELP cache_farm_jobs Farm jobs in flight, by node and phase\n");
        out.append("# TYPE cache_farm_jobs gauge\n");
        byNodeAndPhase.forEach((labels, n) -> out.append("cache_farm_jobs{").append(labels).append("} ")
                .append(n).append('\n'));
        out.append("# HELP cache_farm_node_up Whether a farm node is healthy (1) or backed off (0)\n");
        out.append("# TYPE cache_farm_node_up gauge\n");
        nodes.forEach((node, up) -> sample(out, "cache_farm_node_up", "node", node, up ? 1 : 0));
        return out.toString();
    }

    private static void sample(StringBuilder out, String name, String label, String value, long n) {
        out.append(name).append('{').append(label(label, value)).append("} ").append(n).append('\n');
    }

    private static String label(String name, String value) {
        return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
