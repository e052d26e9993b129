package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's zlib and lua5.4 sources ({@code -O2 -g}, gcc and g++) built plain, then through
 * {@code cache} with its misses distributed to three real {@code cached} nodes on 127.0.0.2–4
 * ({@code real-project.sh --check --farm}): the cold build is compiled on the nodes, spread over
 * at least two of them, every object identical to the plain build's; a second build from an
 * empty local cache is answered by the nodes' caches (the script checks: node hits for every
 * miss of its make step, no remote compile).
 */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class RealProjectFarmIT {

    private static final List<String> NODE_ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

    @TempDir
    Path tmp;

    @Test
    void zlibAndLuaCompiledOnTheNodesAreIdenticalAndRefetchedFromTheirCaches() throws Exception {
        Path repo = CacheFixture.DIST.getParent();
        Path script = repo.resolve("benchmarks/scripts/real-project.sh");
        assertTrue(Files.isExecutable(script), script.toString());
        List<NodeProcess> nodes = new ArrayList<>();
        Path log = Files.createTempFile("real-project-farm", ".log");
        try {
            for (String address : NODE_ADDRESSES) {
                nodes.add(NodeProcess.start(address, Files.createDirectories(tmp.resolve("node-" + address)), 2, null));
            }
            Map<String, Map<String, Long>> before = new LinkedHashMap<>();
            for (NodeProcess n : nodes) {
                before.put(n.address, n.stats());
            }
            Map<String, String> env = new HashMap<>(System.getenv());
            env.remove("CCACHE_DIR");
            env.put("LC_ALL", "C");
            env.put("DISTCC_HOSTS", nodes.stream().map(n -> n.hostEntry(2)).collect(Collectors.joining(" ")));
            env.put("DISTCC_DIR", Files.createDirectories(tmp.resolve("distcc")).toString());
            ProcessBuilder pb = new ProcessBuilder(List.of(script.toString(), "--check", "--farm"))
                    .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(24, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            String out = Files.readString(log);
            System.out.println(out);
            Map<String, Long> compiled = new LinkedHashMap<>();
            Map<String, Long> hits = new LinkedHashMap<>();
            for (NodeProcess n : nodes) {
                Map<String, Long> after = n.stats();
                Map<String, Long> b = before.get(n.address);
                compiled.put(n.address, after.getOrDefault("compiles_ok", 0L) - b.getOrDefault("compiles_ok", 0L));
                hits.put(n.address, after.getOrDefault("node_hits", 0L) - b.getOrDefault("node_hits", 0L));
            }
            String story = "node compiles " + compiled + ", node hits " + hits;
            System.out.println(story);
            assertEquals(0, p.exitValue(), "real-project.sh --check --farm failed (" + story + "):\n" + out);
            assertTrue(out.contains("RESULT: PASS"), out);
            assertTrue(compiled.values().stream().filter(v -> v > 0).count() >= 2,
                    "the cold builds were compiled on at least two nodes: " + story);
            assertTrue(hits.values().stream().mapToLong(Long::longValue).sum() > 0,
                    "the refetch builds were answered by the nodes' caches: " + story);
        } finally {
            Files.deleteIfExists(log);
            CacheFixture.runQuietly(List.of(CacheFixture.CLIENT.toString(), "--stop-daemon"),
                    Map.of("CCACHE_DIR", repo.resolve("work/cache-dir").toString()));
            for (NodeProcess n : nodes) {
                n.stop();
            }
        }
    }
}
