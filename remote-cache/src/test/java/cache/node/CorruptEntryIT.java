package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's entry damaged on disk (one byte of the stored RocksDB value changed while the node
 * was down): the node never serves it. A probe answers MISS, a compile compiles again and
 * answers the right object; either way the node counts {@code corrupt_entries} and the bad
 * value is gone from the store (removed, or replaced by the new result).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorruptEntryIT {

    private static final List<String> ARGS = List.of("-O2");

    @TempDir
    Path dir;

    private CompilerSpec gcc;
    private byte[] input;
    private NodeConfig config;
    private final Digest key = NodeFixture.key("corrupt-entry");
    private Digest nodeKey;
    private byte[] corrupt;

    /** Compiles once on a real node, then flips one byte of the one stored value with the node down. */
    @BeforeEach
    void storeThenCorrupt() throws Exception {
        gcc = NodeFixture.spec("gcc");
        input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1);
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            assertTrue(client.compile(key, gcc, "cpp-output", ARGS, input).get().stored());
        }
        try (LocalStore store = LocalStore.open(config.cacheDir(), EntryCodec.defaults())) {
            List<Digest> keys = new ArrayList<>();
            store.entries().forEachKey(keys::add);
            assertEquals(1, keys.size(), "one stored entry: " + keys);
            nodeKey = keys.get(0);
            byte[] good = store.entries().getEncoded(nodeKey);
            corrupt = good.clone();
            corrupt[corrupt.length / 2] ^= 0x10;
            store.entries().putEncoded(nodeKey, corrupt);
            assertThrows(CorruptEntryException.class, () -> EntryCodec.defaults().decode(corrupt),
                    "the changed value fails its checksum");
        }
    }

    @Test
    void aProbeAnswersACorruptEntryAsAMissCountsItAndRemovesIt() throws Exception {
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            assertFalse(client.probe(key, gcc).get().hit(), "a corrupt entry is answered as a miss");
            Map<String, Long> s = client.stats().get();
            assertEquals(1L, s.get("corrupt_entries"), s.toString());
            assertEquals(1L, s.get("node_misses"), s.toString());
            assertEquals(0L, s.get("node_hits"), s.toString());
        }
        try (LocalStore store = LocalStore.open(config.cacheDir(), EntryCodec.defaults())) {
            assertNull(store.entries().getEncoded(nodeKey), "the corrupt entry was removed");
        }
    }

    @Test
    void aCompileOverACorruptEntryRecompilesAndReplacesIt() throws Exception {
        byte[] answered;
        try (CachedNode node = CachedNode.start(config); NodeClient client = NodeFixture.connect(node)) {
            NodeClient.CompileResult r = client.compile(key, gcc, "cpp-output", ARGS, input).get();
            answered = r.entry();
            CacheEntry e = NodeClient.decode(answered);
            assertEquals(0, e.exitCode(), new String(e.stderr(), StandardCharsets.UTF_8));
            assertArrayEquals(NodeFixture.compileLocally(dir, "gcc", ARGS, input), e.outputs().get(OutputKind.OBJECT),
                    "the recompiled object equals a local compile");
            assertTrue(r.stored(), "the new result is stored");
            Map<String, Long> s = client.stats().get();
            assertEquals(1L, s.get("corrupt_entries"), s.toString());
            assertEquals(1L, s.get("compiles_ok"), "compiled again rather than served: " + s);
            assertEquals(0L, s.get("node_hits"), s.toString());
            assertArrayEquals(answered, client.probe(key, gcc).get().entry(), "a probe now hits the new entry");
        }
        try (LocalStore store = LocalStore.open(config.cacheDir(), EntryCodec.defaults())) {
            byte[] stored = store.entries().getEncoded(nodeKey);
            assertNotNull(stored);
            assertArrayEquals(answered, stored, "the corrupt value was replaced by the new result");
            EntryCodec.defaults().decode(stored);
        }
    }
}
