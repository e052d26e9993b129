package cache.node;

import java.util.Map;
import java.util.Set;

/**
 * The three renderings of {@link NodeStats#snapshot()} served on the stats port: distccd's
 * plain-text page (its {@code dcc_*} names where the meaning is the same, then ours), JSON,
 * and the Prometheus text exposition format.
 */
final class StatsFormats {

    /** Current values, not running totals (Prometheus gauges). */
    private static final Set<String> GAUGES = Set.of("uptime_seconds", "connections_open", "jobs_running",
            "jobs_queued", "max_jobs_running", "longest_job_msecs", "jobs_limit");

    private StatsFormats() {
    }

    static String text(Map<String, Long> s) {
        StringBuilder b = new StringBuilder("argv /cached\n<distccstats>\n");
        long badRequests = 0;
        for (Map.Entry<String, Long> e : s.entrySet()) {
            if (e.getKey().startsWith("refused_") && !e.getKey().equals("refused_total")
                    && !e.getKey().equals("refused_busy") && !e.getKey().equals("refused_too_many_connections")) {
                badRequests += e.getValue();
            }
        }
        line(b, "dcc_tcp_accept", s.get("connections_accepted"));
        line(b, "dcc_rej_bad_req", badRequests);
        line(b, "dcc_rej_overload", s.getOrDefault("refused_busy", 0L)
                + s.getOrDefault("refused_too_many_connections", 0L));
        line(b, "dcc_compile_ok", s.get("compiles_ok"));
        line(b, "dcc_compile_error", s.get("compiles_failed"));
        line(b, "dcc_compile_timeout", s.get("compile_timeouts"));
        line(b, "dcc_longest_job_time_msecs", s.get("longest_job_msecs"));
        line(b, "dcc_max_kids", s.get("max_jobs_running"));
        line(b, "dcc_current_load", s.get("jobs_running"));
        for (Map.Entry<String, Long> e : s.entrySet()) {
            line(b, e.getKey(), e.getValue());
        }
        return b.append("</distccstats>\n").toString();
    }

    static String json(Map<String, Long> s) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, Long> e : s.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            // names are [a-z0-9_] (counter names and refusal labels), nothing to escape
            b.append("\n  \"").append(e.getKey()).append("\": ").append(e.getValue());
        }
        return b.append("\n}\n").toString();
    }

    static String prometheus(Map<String, Long> s) {
        StringBuilder b = new StringBuilder();
        StringBuilder refused = new StringBuilder();
        for (Map.Entry<String, Long> e : s.entrySet()) {
            String k = e.getKey();
            if (k.equals("refused_total")) {
                continue;
            }
            if (k.startsWith("refused_")) {
                refused.append("cached_refused_total{reason=\"").append(k.substring(8)).append("\"} ")
                        .append(e.getValue()).append('\n');
                continue;
            }
            boolean gauge = GAUGES.contains(k);
            String name = "cached_" + k + (gauge ? "" : "_total");
            b.append("# TYPE ").append(name).append(gauge ? " gauge\n" : " counter\n");
            b.append(name).append(' ').append(e.getValue()).append('\n');
        }
        b.append("# TYPE cached_refused_total counter\n").append(refused);
        return b.toString();
    }

    private static void line(StringBuilder b, String name, Long value) {
        b.append(name).append(' ').append(value == null ? 0 : value).append('\n');
    }
}
