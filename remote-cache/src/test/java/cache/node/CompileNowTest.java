package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Result;
import cache.process.ProcessRunner;
import cache.store.EntryCodec;
import cache.store.InMemoryEntryStore;
import cache.storage.remote.RemoteBackedStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compile whose compiler is known is checked and looked up on the caller's thread (the
 * connection's event loop) and handed straight to a compile thread ({@link NodeService#handle}):
 * a compile hit is answered before {@code handle} returns, a miss runs on a compile thread, a
 * refusal is the same answer as the pool's; an unknown compiler's identity is never learnt on
 * the caller's thread, and a store with remote storage behind it ({@link RemoteBackedStore} over
 * {@code file:} storage) is never read there, for compiles and probes alike.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompileNowTest {

    @TempDir
    Path dir;

    /** Every command the node ran, and the thread it ran on. */
    private final List<List<String>> ran = new CopyOnWriteArrayList<>();
    private final List<String> ranOn = new CopyOnWriteArrayList<>();
    private final ProcessRunner recording = FakeGccNode.recording(ran);
    private final ProcessRunner compiler = (cmd, cwd, env, limit) -> {
        ranOn.add(Thread.currentThread().getName());
        return recording.run(cmd, cwd, env, limit);
    };

    private NodeService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static Digest key(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aKnownCompilersHitIsAnsweredOnTheCallersThreadAndItsMissOnACompileThread() throws Exception {
        service = FakeGccNode.start(dir, new NodeConfig().jobs(1), compiler);
        String me = Thread.currentThread().getName();
        Result first = assertInstanceOf(Result.class,
                service.handle(FakeGccNode.compile(1, key("a")), "peer").get(10, TimeUnit.SECONDS));
        assertFalse(ranOn.isEmpty(), "the compiler ran");
        assertFalse(ranOn.contains(me), "the unknown compiler's identity was learnt off the caller's thread: " + ranOn);

        ranOn.clear();
        CompletableFuture<Message> hit = service.handle(FakeGccNode.compile(2, key("a")), "peer");
        assertTrue(hit.isDone(), "a compile hit of a known compiler is answered before handle returns");
        assertArrayEquals(first.entry(), assertInstanceOf(Result.class, hit.get()).entry(), "the stored entry");
        assertTrue(ranOn.isEmpty(), "nothing ran for a hit: " + ranOn);

        assertInstanceOf(Result.class,
                service.handle(FakeGccNode.compile(3, key("b")), "peer").get(10, TimeUnit.SECONDS));
        assertEquals(1, ranOn.size(), "one compile, no identity question: " + ranOn);
        assertTrue(ranOn.get(0).startsWith("cached-job-"), "the miss compiled on a compile thread: " + ranOn);
        assertEquals(2L, service.stats().snapshot().get("compiles_ok"), "two compiles ran");
    }

    @Test
    void aKnownCompilersRefusalIsAnsweredOnTheCallersThread() throws Exception {
        service = FakeGccNode.start(dir, new NodeConfig().jobs(1), compiler);
        service.handle(FakeGccNode.compile(1, key("a")), "peer").get(10, TimeUnit.SECONDS);
        NodeProtocol.Compile other = new NodeProtocol.Compile(2, key("c"),
                new CompilerSpec("gcc", "13.1.0", "x86_64-linux-gnu"), "cpp-output", List.of("-O2"),
                FakeGccNode.SOURCE.length, com.github.luben.zstd.Zstd.compress(FakeGccNode.SOURCE));
        CompletableFuture<Message> refused = service.handle(other, "peer");
        assertTrue(refused.isDone(), "refused before handle returns");
        assertEquals(ErrorCode.COMPILER_MISMATCH, assertInstanceOf(NodeProtocol.Error.class, refused.get()).code());
    }

    @Test
    void aStoreWithRemoteStorageBehindIsNeverReadOnTheCallersThread() throws Exception {
        List<String> remoteReadOn = new CopyOnWriteArrayList<>();
        Path bin = java.nio.file.Files.createDirectories(dir.resolve("bin"));
        FakeGccNode.start(dir, new NodeConfig(), compiler).close(); // the placeholder gcc in dir/bin
        NodeConfig config = new NodeConfig().jobs(1).searchPath(List.of(bin))
                .tmpDir(java.nio.file.Files.createDirectories(dir.resolve("jobs")));
        EntryCodec codec = EntryCodec.defaults();
        try (RemoteBackedStore store = new RemoteBackedStore(new InMemoryEntryStore(codec),
                "file:" + dir.resolve("remote"), codec, status -> remoteReadOn.add(Thread.currentThread().getName()))) {
            service = new NodeService(config, store, new CompilerResolver(null, List.of(bin), compiler), compiler,
                    new NodeStats());
            String me = Thread.currentThread().getName();
            assertInstanceOf(Result.class,
                    service.handle(FakeGccNode.compile(1, key("a")), "peer").get(10, TimeUnit.SECONDS));
            assertInstanceOf(Result.class,
                    service.handle(FakeGccNode.compile(2, key("b")), "peer").get(10, TimeUnit.SECONDS));
            assertNull(service.probeNow(new Probe(3, key("c"), FakeGccNode.GCC), "peer"),
                    "a probe goes to the pool when remote storage is behind the store");
            assertInstanceOf(NodeProtocol.Miss.class,
                    service.handle(new Probe(4, key("c"), FakeGccNode.GCC), "peer").get(10, TimeUnit.SECONDS));
            assertTrue(remoteReadOn.size() >= 3, "the remote storage was read (and written) for the new keys: " + remoteReadOn);
            assertFalse(remoteReadOn.contains(me), "never on the caller's thread: " + remoteReadOn);
        }
    }
}
