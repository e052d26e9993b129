package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.client.NodeClient.CompileResult;
import cache.node.client.NodeClient.ProbeResult;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real node on loopback, real gcc and clang: probe miss, compile, probe hit, same bytes as a local compile. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeCompileIT {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gcc", "clang"})
    void missCompileHitReturnsTheLocalObject(String compiler) throws Exception {
        CompilerSpec spec = NodeFixture.spec(compiler);
        byte[] input = NodeFixture.preprocess(dir, compiler, NodeFixture.SMALL_C);
        List<String> args = List.of("-O2", "-Wall");
        Digest key = NodeFixture.key(compiler + "-small-O2");
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc", "clang"), 2);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            assertFalse(client.probe(key, spec).get().hit());

            CompileResult compiled = client.compile(key, spec, "cpp-output", args, input).get();
            CacheEntry entry = NodeClient.decode(compiled.entry());
            assertEquals(0, entry.exitCode(), new String(entry.stderr(), StandardCharsets.UTF_8));
            assertTrue(compiled.stored());
            byte[] local = NodeFixture.compileLocally(dir, compiler, args, input);
            assertArrayEquals(local, entry.outputs().get(OutputKind.OBJECT), "node object == local object");

            long sentBefore = client.bytesSent();
            ProbeResult hit = client.probe(key, spec).get();
            assertTrue(hit.hit());
            long sentForHit = client.bytesSent() - sentBefore;
            assertTrue(sentForHit < 200, "a hit costs the client " + sentForHit + " bytes on the wire");
            assertArrayEquals(compiled.entry(), hit.entry(), "a hit returns the stored bytes");

            Map<String, Long> stats = client.stats().get();
            assertEquals(1L, stats.get("node_hits"));
            assertEquals(1L, stats.get("node_misses"));
            assertEquals(1L, stats.get("compiles_ok"));
            assertEquals(1L, stats.get("entries_stored"));
        }
    }

    @Test
    void resultsSurviveARestartOfTheNode() throws Exception {
        CompilerSpec spec = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        Digest key = NodeFixture.key("restart");
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
        byte[] first;
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            first = client.compile(key, spec, "cpp-output", List.of("-O1"), input).get().entry();
        }
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            assertArrayEquals(first, client.probe(key, spec).get().entry());
        }
    }

    @Test
    void maxSizeEvictsTheLeastRecentlyUsedResults() throws Exception {
        CompilerSpec spec = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 2).maxSize(6_000);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            for (int i = 0; i < 12; i++) {
                assertTrue(client.compile(NodeFixture.key("lru-" + i), spec, "cpp-output", List.of("-O1"), input).get()
                        .stored(), "a node with eviction keeps storing");
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (client.probe(NodeFixture.key("lru-0"), spec).get().hit() && System.nanoTime() < deadline) {
                Thread.sleep(50); // eviction runs in the background, after the put that went over
            }
            assertFalse(client.probe(NodeFixture.key("lru-0"), spec).get().hit(), "the oldest result was evicted");
            assertTrue(client.probe(NodeFixture.key("lru-11"), spec).get().hit(), "the newest is kept");
            assertEquals(0L, client.stats().get().getOrDefault("not_stored_full", 0L));
        }
    }

    @Test
    void compileErrorsAreAnsweredButNotStored() throws Exception {
        CompilerSpec spec = NodeFixture.spec("gcc");
        byte[] input = "int broken( {\n".getBytes(StandardCharsets.UTF_8);
        Digest key = NodeFixture.key("broken");
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            CompileResult r = client.compile(key, spec, "cpp-output", List.of(), input).get();
            CacheEntry e = NodeClient.decode(r.entry());
            assertNotEquals(0, e.exitCode());
            assertTrue(new String(e.stderr(), StandardCharsets.UTF_8).contains("error"));
            assertFalse(r.stored());
            assertFalse(client.probe(key, spec).get().hit());
        }
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreMatchedById() throws Exception {
        CompilerSpec spec = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 2);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            Digest stored = NodeFixture.key("pipelined-stored");
            byte[] entry = client.compile(stored, spec, "cpp-output", List.of("-O0"), input).get().entry();
            List<CompletableFuture<ProbeResult>> probes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                probes.add(client.probe(i % 2 == 0 ? stored : NodeFixture.key("absent-" + i), spec));
            }
            for (int i = 0; i < probes.size(); i++) {
                ProbeResult r = probes.get(i).get();
                assertEquals(i % 2 == 0, r.hit(), "probe " + i);
                if (r.hit()) {
                    assertArrayEquals(entry, r.entry());
                }
            }
        }
    }
}
