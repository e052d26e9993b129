package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.storage.remote.RealServers;
import cache.store.CacheEntry;
import cache.store.OutputKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes with their own empty stores and one real redis-server behind them
 * ({@code --remote-storage}): what the first compiled, the second answers from Redis without
 * compiling, an object identical to a local compile; with Redis gone, a node still compiles.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeRemoteStorageIT {

    private static final List<String> ARGS = List.of("-O2");

    @TempDir
    Path dir;

    @Test
    void aSecondNodeAnswersFromRedisWhatTheFirstCompiled() throws Exception {
        CompilerSpec gcc = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        Digest key = NodeFixture.key("remote-storage");
        Path whitelist = NodeFixture.whitelist(dir, "gcc");
        try (RealServers.Server redis = RealServers.redis(dir.resolve("redis"), 0, "n0depw")) {
            String url = "redis://n0depw@127.0.0.1:" + redis.port + "/1";
            NodeConfig first = NodeFixture.config(Files.createDirectories(dir.resolve("a")), whitelist, 1).remoteStorage(url);
            try (CachedNode node = CachedNode.start(first); NodeClient client = NodeFixture.connect(node)) {
                assertTrue(client.compile(key, gcc, "cpp-output", ARGS, input).get().stored());
                Map<String, Long> s = client.stats().get();
                assertEquals(1L, s.get("remote_storage_miss"), s.toString());
            } // closed: its background write is done
            NodeConfig second = NodeFixture.config(Files.createDirectories(dir.resolve("b")), whitelist, 1).remoteStorage(url);
            try (CachedNode node = CachedNode.start(second); NodeClient client = NodeFixture.connect(node)) {
                NodeClient.ProbeResult p = client.probe(key, gcc).get();
                assertTrue(p.hit(), "the second node's empty store, backed by Redis, has it");
                CacheEntry e = NodeClient.decode(p.entry());
                assertArrayEquals(NodeFixture.compileLocally(dir, "gcc", ARGS, input), e.outputs().get(OutputKind.OBJECT));
                Map<String, Long> s = client.stats().get();
                assertEquals(1L, s.get("remote_storage_hit"), s.toString());
                assertEquals(0L, s.get("compiles_ok"), s.toString());

                redis.kill();
                Digest other = NodeFixture.key("remote-storage-2");
                NodeClient.CompileResult r = client.compile(other, gcc, "cpp-output", ARGS, input).get();
                assertEquals(0, NodeClient.decode(r.entry()).exitCode(), "Redis gone: the node compiles anyway");
                s = client.stats().get();
                assertTrue(s.getOrDefault("remote_storage_error", 0L) + s.getOrDefault("remote_storage_timeout", 0L) >= 1,
                        s.toString());
            }
        }
    }
}
