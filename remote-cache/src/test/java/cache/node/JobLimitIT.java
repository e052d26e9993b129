package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * --jobs 2 and five compiles of a compiler that waits for a gate file: the stats show two
 * running and three queued, never more than two at once, and every compile completes once the
 * gate opens.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JobLimitIT {

    @TempDir
    Path dir;

    @Test
    void compilesBeyondJobsWaitInTheQueue() throws Exception {
        Path gate = dir.resolve("gate");
        Path bin = dir.resolve("bin");
        NodeFixture.fakeCompiler(bin, "slowcc", "1.0", "test-target", gate);
        CompilerSpec spec = new CompilerSpec("slowcc", "1.0", "test-target");
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "slowcc"), 2)
                .searchPath(List.of(bin, Path.of("/usr/bin"), Path.of("/bin")));
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node);
                NodeClient observer = NodeFixture.connect(node)) {
            List<CompletableFuture<NodeClient.CompileResult>> jobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                jobs.add(client.compile(NodeFixture.key("job-" + i), spec, "c", List.of(), new byte[] {'x'}));
            }
            Map<String, Long> s = observer.stats().get();
            while (s.get("jobs_running") != 2 || s.get("jobs_queued") != 3) {
                Thread.sleep(20);
                s = observer.stats().get();
            }
            assertEquals(2L, s.get("max_jobs_running"));
            Files.createFile(gate);
            for (CompletableFuture<NodeClient.CompileResult> j : jobs) {
                assertArrayEquals("fake object".getBytes(StandardCharsets.UTF_8),
                        NodeClient.decode(j.get().entry()).outputs().get(OutputKind.OBJECT));
            }
            s = observer.stats().get();
            assertEquals(2L, s.get("max_jobs_running"), "never more than --jobs at once");
            assertEquals(0L, s.get("jobs_running"));
            assertEquals(0L, s.get("jobs_queued"));
            assertEquals(5L, s.get("compiles_ok"));
        }
    }
}
