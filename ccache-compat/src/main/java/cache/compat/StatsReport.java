package cache.compat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Renders counters the way ccache 4.7 does: {@code --print-stats} (tab-separated, sorted by
 * name, timestamps included) and {@code -s}/{@code -sv} (the human summary).
 */
public final class StatsReport {

    /**
     * Extra, non-counter values a report shows.
     *
     * @param configFile the cache-specific configuration file, shown by {@code -sv} as
     *     "Config file:" (null: not shown)
     * @param systemConfigFile the system file consulted, shown as "System config file:" (null:
     *     not shown, as when {@code CCACHE_CONFIGPATH} is set)
     */
    public record Storage(String cacheDir, long sizeBytes, long files, long maxSizeBytes, String configFile,
            String systemConfigFile) {

        public Storage(String cacheDir, long sizeBytes, long files, long maxSizeBytes) {
            this(cacheDir, sizeBytes, files, maxSizeBytes, null, null);
        }
    }

    private static final DateTimeFormatter UPDATED =
            DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final Map<Counter, Long> values = new EnumMap<>(Counter.class);
    private final long updatedEpochSecond;
    private final long zeroedEpochSecond;
    private final Storage storage;

    public StatsReport(Map<Counter, Long> values, long updatedEpochSecond, long zeroedEpochSecond, Storage storage) {
        this.values.putAll(values);
        this.updatedEpochSecond = updatedEpochSecond;
        this.zeroedEpochSecond = zeroedEpochSecond;
        this.storage = storage;
    }

    public long get(Counter c) {
        return values.getOrDefault(c, 0L);
    }

    /** {@code name<TAB>value} lines sorted by name, as {@code ccache --print-stats}. */
    public String printStats() {
        java.util.TreeMap<String, Long> sorted = new java.util.TreeMap<>();
        for (Counter c : Counter.values()) {
            sorted.put(c.id(), get(c));
        }
        sorted.put("cache_size_kibibyte", storage.sizeBytes() / 1024);
        sorted.put("files_in_cache", storage.files());
        sorted.put("stats_updated_timestamp", updatedEpochSecond);
        sorted.put("stats_zeroed_timestamp", zeroedEpochSecond);
        StringBuilder out = new StringBuilder();
        sorted.forEach((k, v) -> out.append(k).append('\t').append(v).append('\n'));
        return out.toString();
    }

    /** The {@code -s} summary; {@code verbose} adds the per-reason lines of {@code -sv}. */
    public String showStats(boolean verbose) {
        return render(verbose, true);
    }

    /**
     * {@code --show-log-stats}: the summary of counters read from a {@code stats_log}, without
     * what only the cache directory knows (its path, size, files, timestamps).
     */
    public String showLogStats(boolean verbose) {
        return render(verbose, false);
    }

    private String render(boolean verbose, boolean withStorage) {
        long hits = get(Counter.DIRECT_CACHE_HIT) + get(Counter.PREPROCESSED_CACHE_HIT);
        long misses = get(Counter.CACHE_MISS);
        long cacheable = hits + misses;
        long uncacheable = sum(Counter.Kind.UNCACHEABLE);
        long errors = sum(Counter.Kind.ERROR);
        long total = cacheable + uncacheable + errors;
        Table t = new Table();
        if (verbose && withStorage) {
            t.text("Cache directory:", storage.cacheDir());
            if (storage.configFile() != null) {
                t.text("Config file:", storage.configFile());
            }
            if (storage.systemConfigFile() != null) {
                t.text("System config file:", storage.systemConfigFile());
            }
            t.text("Stats updated:", updatedEpochSecond == 0 ? "never" : UPDATED.format(Instant.ofEpochSecond(updatedEpochSecond)));
            if (zeroedEpochSecond != 0) {
                t.text("Stats zeroed:", UPDATED.format(Instant.ofEpochSecond(zeroedEpochSecond)));
            }
        }
        t.ratio("Cacheable calls:", cacheable, total);
        t.ratio("  Hits:", hits, cacheable);
        t.ratio("    Direct:", get(Counter.DIRECT_CACHE_HIT), hits);
        t.ratio("    Preprocessed:", get(Counter.PREPROCESSED_CACHE_HIT), hits);
        t.ratio("  Misses:", misses, cacheable);
        t.ratio("Uncacheable calls:", uncacheable, total);
        if (verbose) {
            details(t, Counter.Kind.UNCACHEABLE, uncacheable);
        }
        if (errors > 0) {
            t.ratio("Errors:", errors, total);
            if (verbose) {
                details(t, Counter.Kind.ERROR, errors);
            }
        }
        t.line("Local storage:");
        double gb = storage.sizeBytes() / 1e9;
        double maxGb = storage.maxSizeBytes() / 1e9;
        double pct = storage.maxSizeBytes() == 0 ? 0 : 100.0 * storage.sizeBytes() / storage.maxSizeBytes();
        if (withStorage) {
            t.text("  Cache size (GB):", String.format(Locale.ROOT, "%.2f / %.2f (%s)", gb, maxGb, percent(pct)));
        }
        if (verbose && withStorage) {
            t.text("  Files:", Long.toString(storage.files()));
        }
        long rh = get(Counter.REMOTE_STORAGE_HIT);
        long rm = get(Counter.REMOTE_STORAGE_MISS);
        if (verbose || rh + rm > 0) {
            long lh = get(Counter.LOCAL_STORAGE_HIT);
            long lm = get(Counter.LOCAL_STORAGE_MISS);
            t.ratio("  Hits:", lh, lh + lm);
            t.ratio("  Misses:", lm, lh + lm);
        }
        if (verbose) {
            t.text("  Writes:", Long.toString(get(Counter.LOCAL_STORAGE_WRITE)));
        }
        remote(t, rh, rm, verbose);
        distribution(t, misses, verbose);
        return t.toString();
    }

    /**
     * Ours, after ccache's sections and only when the farm did something (so a report without
     * distribution is ccache's, line for line): where the misses were built; {@code -sv} adds
     * why misses stayed here and why nodes failed, as ccache's verbose lines do for uncacheable
     * calls. A malformed host list is shown by {@code -s} too: it silently turns the farm off.
     */
    private void distribution(Table t, long misses, boolean verbose) {
        long remote = get(Counter.REMOTE_COMPILE);
        long nodeHits = get(Counter.NODE_HIT);
        long kept = get(Counter.KEPT_LOCAL);
        long failed = get(Counter.BUILDER_FAILED);
        if (remote + nodeHits + kept + failed == 0) {
            return;
        }
        t.line("Distribution:");
        t.ratio("  Compiled on nodes:", remote, misses);
        t.ratio("  Node cache hits:", nodeHits, misses);
        t.ratio("  Kept local:", kept, misses);
        if (verbose) {
            details(t, "    ", Counter.Kind.KEPT_LOCAL, kept);
        } else if (get(Counter.KEPT_LOCAL_HOST_LIST_MALFORMED) > 0) {
            t.ratio("    " + Counter.KEPT_LOCAL_HOST_LIST_MALFORMED.description() + ":",
                    get(Counter.KEPT_LOCAL_HOST_LIST_MALFORMED), kept);
        }
        if (failed > 0) {
            t.ratio("  Node failures:", failed, misses);
            if (verbose) {
                details(t, "    ", Counter.Kind.BUILDER_FAILED, failed);
            }
        }
    }

    /** ccache 4.7's "Remote storage:" section, shown once remote storage did something. */
    private void remote(Table t, long hits, long misses, boolean verbose) {
        long errors = get(Counter.REMOTE_STORAGE_ERROR);
        long timeouts = get(Counter.REMOTE_STORAGE_TIMEOUT);
        if (hits + misses + errors + timeouts == 0) {
            return;
        }
        t.line("Remote storage:");
        t.ratio("  Hits:", hits, hits + misses);
        t.ratio("  Misses:", misses, hits + misses);
        if (verbose) {
            t.count("  Reads:", get(Counter.REMOTE_STORAGE_READ_HIT) + get(Counter.REMOTE_STORAGE_READ_MISS));
            t.count("  Writes:", get(Counter.REMOTE_STORAGE_WRITE));
        }
        if (errors > 0) {
            t.count("  Errors:", errors);
        }
        if (timeouts > 0) {
            t.count("  Timeouts:", timeouts);
        }
    }

    private void details(Table t, Counter.Kind kind, long of) {
        details(t, "  ", kind, of);
    }

    private void details(Table t, String indent, Counter.Kind kind, long of) {
        for (Counter c : Counter.values()) {
            if (c.kind() == kind && get(c) > 0) {
                t.ratio(indent + c.description() + ":", get(c), of);
            }
        }
    }

    private long sum(Counter.Kind kind) {
        long n = 0;
        for (Counter c : Counter.values()) {
            if (c.kind() == kind) {
                n += get(c);
            }
        }
        return n;
    }

    static String percent(double p) {
        if (p >= 99.995) {
            return String.format(Locale.ROOT, "%5.1f%%", p);
        }
        return String.format(Locale.ROOT, "%5.2f%%", p);
    }

    /**
     * Rows rendered as ccache does: labels padded to the longest label, counts right-aligned
     * in columns at least four digits wide (wider when a count needs it).
     */
    private static final class Table {
        private final java.util.List<String[]> rows = new java.util.ArrayList<>();

        void line(String s) {
            rows.add(new String[] {s});
        }

        void text(String label, String value) {
            rows.add(new String[] {label, value});
        }

        /** A count alone, right-aligned in the counts' column (ccache's count rows). */
        void count(String label, long n) {
            rows.add(new String[] {label, Long.toString(n), ""});
        }

        void ratio(String label, long n, long of) {
            double p = of == 0 ? 0 : 100.0 * n / of;
            rows.add(new String[] {label, Long.toString(n), Long.toString(of), percent(p)});
        }

        @Override
        public String toString() {
            int label = 0;
            int num = 4;
            for (String[] r : rows) {
                if (r.length > 1) {
                    label = Math.max(label, r[0].length());
                }
                if (r.length == 4) {
                    num = Math.max(num, Math.max(r[1].length(), r[2].length()));
                } else if (r.length == 3) {
                    num = Math.max(num, r[1].length());
                }
            }
            StringBuilder out = new StringBuilder();
            for (String[] r : rows) {
                if (r.length == 1) {
                    out.append(r[0]);
                } else if (r.length == 2) {
                    out.append(pad(r[0], label)).append(' ').append(r[1]);
                } else if (r.length == 3) {
                    out.append(pad(r[0], label)).append(' ').append(left(r[1], num));
                } else {
                    out.append(pad(r[0], label)).append(' ').append(left(r[1], num)).append(" / ")
                            .append(left(r[2], num)).append(" (").append(r[3]).append(')');
                }
                out.append('\n');
            }
            return out.toString();
        }

        private static String pad(String s, int w) {
            return s + " ".repeat(Math.max(0, w - s.length()));
        }

        private static String left(String s, int w) {
            return " ".repeat(Math.max(0, w - s.length())) + s;
        }
    }
}
