package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's start-up warm-up ({@link NodeWarmup}) runs the probe path without a trace: no
 * process started (a known compiler's identity refuses the warm-up's version, an unknown one is
 * never run), no counter moved, the store as it was and still answering; and it stops when its
 * thread is interrupted (a closing node).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeWarmupTest {

    @TempDir
    Path dir;

    private final List<List<String>> ran = new CopyOnWriteArrayList<>();

    private NodeService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private NodeService start() throws Exception {
        service = FakeGccNode.start(dir, new NodeConfig().jobs(1), FakeGccNode.recording(ran));
        return service;
    }

    @Test
    void theProbePathRunsWithoutAProcessACounterOrAWrite() throws Exception {
        NodeService s = start();
        Digest key = Digest.of("k".getBytes(StandardCharsets.UTF_8));
        Result compiled = assertInstanceOf(Result.class,
                s.handle(FakeGccNode.compile(1, key), "peer").get(10, TimeUnit.SECONDS));
        int processes = ran.size();
        Map<String, Long> counters = counters(s);

        NodeWarmup.Report r = NodeWarmup.run(s, 300);

        assertEquals(300, r.probes());
        assertEquals(processes, ran.size(), "no process started: " + ran.subList(processes, ran.size()));
        assertEquals(counters, counters(s), "no counter moved");
        Hit hit = assertInstanceOf(Hit.class, s.probeNow(new Probe(2, key, FakeGccNode.GCC), "peer"));
        assertArrayEquals(compiled.entry(), hit.entry(), "the stored entry is still answered");
    }

    /** The node's counters but its uptime, which moves by itself. */
    private static Map<String, Long> counters(NodeService s) {
        Map<String, Long> m = new java.util.TreeMap<>(s.stats().snapshot());
        m.remove("uptime_seconds");
        return m;
    }

    @Test
    void anUnknownCompilerIsNeverRunByTheWarmUp() throws Exception {
        NodeService s = start();
        NodeWarmup.run(s, 50);
        assertEquals(List.of(), ran, "the warm-up learns no compiler's identity");
    }

    @Test
    void anInterruptedWarmUpStops() throws Exception {
        NodeService s = start();
        AtomicReference<NodeWarmup.Report> report = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt(); // as CachedNode.close does
            report.set(NodeWarmup.run(s, 1_000_000));
        });
        t.start();
        t.join(30_000);
        assertEquals(0, report.get().probes(), "stopped before its first probe");
    }
}
