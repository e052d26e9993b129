package cache.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatsReportTest {

    private static final StatsReport.Storage STORAGE = new StatsReport.Storage("/c", 8192, 2, 5_000_000_000L);

    @Test
    void showStatsMatchesCcacheLayout() {
        // Same counters as a real ccache 4.7.5 run: 1 direct hit, 1 miss, 1 link, 1 -E.
        StatsReport r = new StatsReport(Map.of(Counter.DIRECT_CACHE_HIT, 1L, Counter.CACHE_MISS, 1L,
                Counter.CALLED_FOR_LINK, 1L, Counter.CALLED_FOR_PREPROCESSING, 1L), 0, 0, STORAGE);
        String expected = ""
                + "Cacheable calls:      2 /    4 (50.00%)\n"
                + "  Hits:               1 /    2 (50.00%)\n"
                + "    Direct:           1 /    1 (100.0%)\n"
                + "    Preprocessed:     0 /    1 ( 0.00%)\n"
                + "  Misses:             1 /    2 (50.00%)\n"
                + "Uncacheable calls:    2 /    4 (50.00%)\n"
                + "Local storage:\n"
                + "  Cache size (GB): 0.00 / 5.00 ( 0.00%)\n";
        assertEquals(expected, r.showStats(false));
        String verbose = r.showStats(true);
        assertTrue(verbose.contains("  Called for linking:          1 /    2 (50.00%)"), verbose);
    }

    @Test
    void remoteStorageSectionIsCcachesAndErrorsAreNotCalls() {
        // ccache 4.7.5 after a build with an empty local cache against a Redis that failed once.
        StatsReport r = new StatsReport(Map.of(Counter.PREPROCESSED_CACHE_HIT, 3L, Counter.CACHE_MISS, 1L,
                Counter.LOCAL_STORAGE_MISS, 4L, Counter.REMOTE_STORAGE_HIT, 3L, Counter.REMOTE_STORAGE_MISS, 1L,
                Counter.REMOTE_STORAGE_READ_HIT, 3L, Counter.REMOTE_STORAGE_READ_MISS, 1L,
                Counter.REMOTE_STORAGE_WRITE, 1L, Counter.REMOTE_STORAGE_ERROR, 1L), 0, 0, STORAGE);
        String expected = ""
                + "Cacheable calls:      4 /    4 (100.0%)\n"
                + "  Hits:               3 /    4 (75.00%)\n"
                + "    Direct:           0 /    3 ( 0.00%)\n"
                + "    Preprocessed:     3 /    3 (100.0%)\n"
                + "  Misses:             1 /    4 (25.00%)\n"
                + "Uncacheable calls:    0 /    4 ( 0.00%)\n"
                + "Local storage:\n"
                + "  Cache size (GB): 0.00 / 5.00 ( 0.00%)\n"
                + "  Hits:               0 /    4 ( 0.00%)\n"
                + "  Misses:             4 /    4 (100.0%)\n"
                + "Remote storage:\n"
                + "  Hits:               3 /    4 (75.00%)\n"
                + "  Misses:             1 /    4 (25.00%)\n"
                + "  Errors:             1\n";
        assertEquals(expected, r.showStats(false));
        String verbose = r.showStats(true);
        assertTrue(verbose.contains("  Reads:              4\n  Writes:             1\n  Errors:             1\n"), verbose);
    }

    @Test
    void distributionIsShownOnlyWhenTheFarmDidSomething() {
        StatsReport quiet = new StatsReport(Map.of(Counter.CACHE_MISS, 4L), 0, 0, STORAGE);
        assertTrue(!quiet.showStats(false).contains("Distribution"), "a report without distribution is ccache's");
        StatsReport r = new StatsReport(Map.of(Counter.CACHE_MISS, 4L, Counter.REMOTE_COMPILE, 2L,
                Counter.NODE_HIT, 1L, Counter.KEPT_LOCAL, 1L), 0, 0, STORAGE);
        String out = r.showStats(false);
        assertTrue(out.contains("Distribution:\n"), out);
        assertTrue(out.contains("  Compiled on nodes:    2 /    4 (50.00%)"), out);
        assertTrue(out.contains("  Node cache hits:      1 /    4 (25.00%)"), out);
        assertTrue(out.contains("  Kept local:           1 /    4 (25.00%)"), out);
        assertTrue(!out.contains("Node failures"), out);
    }

    @Test
    void verboseStatsListWhyMissesStayedHereAndWhyNodesFailed() {
        StatsReport r = new StatsReport(Map.of(Counter.CACHE_MISS, 10L, Counter.REMOTE_COMPILE, 4L,
                Counter.KEPT_LOCAL, 4L, Counter.KEPT_LOCAL_EXTRA_OUTPUTS, 3L, Counter.KEPT_LOCAL_OPTION, 1L,
                Counter.BUILDER_FAILED, 2L, Counter.BUILDER_FAILED_TIMEOUT, 2L), 0, 0, STORAGE);
        String verbose = r.showStats(true);
        assertTrue(verbose.contains("\n    Outputs besides the object:    3 /    4 (75.00%)\n"), verbose);
        assertTrue(verbose.contains("\n    Option kept local:             1 /    4 (25.00%)\n"), verbose);
        assertTrue(verbose.contains("\n  Node failures:                   2 /   10 (20.00%)\n"
                + "    Node timed out:                2 /    2 (100.0%)\n"), verbose);
        assertTrue(verbose.indexOf("Kept local:") < verbose.indexOf("Outputs besides"), "reasons follow their total");
        String plain = r.showStats(false);
        assertTrue(!plain.contains("Outputs besides") && !plain.contains("Node timed out"), plain);
    }

    @Test
    void aMalformedHostListShowsInPlainStats() {
        StatsReport r = new StatsReport(Map.of(Counter.CACHE_MISS, 5L, Counter.KEPT_LOCAL, 5L,
                Counter.KEPT_LOCAL_HOST_LIST_MALFORMED, 5L), 0, 0, STORAGE);
        String out = r.showStats(false);
        assertTrue(out.contains("  Kept local:               5 /    5 (100.0%)\n"
                + "    Host list malformed:    5 /    5 (100.0%)\n"), out);
    }

    @Test
    void printStatsNamesEveryReason() {
        String out = new StatsReport(Map.of(Counter.KEPT_LOCAL_NO_HOST, 2L), 0, 0, STORAGE).printStats();
        assertTrue(out.contains("kept_local_no_host\t2\n"), out);
        assertTrue(out.contains("kept_local_host_list_malformed\t0\n"), out);
        assertTrue(out.contains("builder_failed_unreachable\t0\n"), out);
    }

    @Test
    void printStatsListsEveryCcacheName() {
        String out = new StatsReport(Map.of(Counter.CACHE_MISS, 3L), 5, 0, STORAGE).printStats();
        Set<String> names = new HashSet<>();
        for (String line : out.split("\n")) {
            String[] kv = line.split("\t");
            assertEquals(2, kv.length, line);
            names.add(kv[0]);
        }
        for (String ccache : new String[] {"autoconf_test", "cache_miss", "cache_size_kibibyte", "called_for_link",
                "direct_cache_hit", "files_in_cache", "preprocessed_cache_hit", "stats_updated_timestamp",
                "stats_zeroed_timestamp", "unsupported_source_language", "local_storage_write"}) {
            assertTrue(names.contains(ccache), ccache);
        }
        assertTrue(out.contains("cache_miss\t3\n"));
        assertTrue(out.contains("cache_size_kibibyte\t8\n"));
    }

    @Test
    void counterIdsAreUniqueAndSnakeCase() {
        Set<String> ids = new HashSet<>();
        for (Counter c : Counter.values()) {
            assertTrue(ids.add(c.id()), c.id());
            assertTrue(c.id().matches("[a-z_]+"), c.id());
        }
    }
}
