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
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.EntryStore;
import cache.store.InMemoryEntryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compile whose compiler is known is checked and looked up on the caller's thread (the
 * connection's event loop) and handed straight to a compile thread ({@link NodeService#handle}):
 * a compile hit is answered before {@code handle} returns, a miss runs on a compile thread, a
 * refusal is the same answer as the pool's; an unknown compiler's identity is never learnt on
 * the caller's thread, and a store with remote storage behind it is never read there, for
 * compiles and probes alike.
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
        RemoteBacked store = new RemoteBacked();
        Path bin = java.nio.file.Files.createDirectories(dir.resolve("bin"));
        FakeGccNode.start(dir, new NodeConfig(), compiler).close(); // the placeholder gcc in dir/bin
        NodeConfig config = new NodeConfig().jobs(1).searchPath(List.of(bin))
                .tmpDir(java.nio.file.Files.createDirectories(dir.resolve("jobs")));
        service = new NodeService(config, store, new CompilerResolver(null, List.of(bin), compiler), compiler,
                new NodeStats());
        String me = Thread.currentThread().getName();
        assertInstanceOf(Result.class,
                service.handle(FakeGccNode.compile(1, key("a")), "peer").get(10, TimeUnit.SECONDS));
        assertInstanceOf(Result.class,
                service.handle(FakeGccNode.compile(2, key("a")), "peer").get(10, TimeUnit.SECONDS));
        assertNull(service.probeNow(new Probe(3, key("a"), FakeGccNode.GCC), "peer"),
                "a probe goes to the pool when remote storage is behind the store");
        assertInstanceOf(NodeProtocol.Hit.class,
                service.handle(new Probe(4, key("a"), FakeGccNode.GCC), "peer").get(10, TimeUnit.SECONDS));
        assertFalse(store.readOn.isEmpty(), "the remote tier was asked");
        assertFalse(store.readOn.contains(me), "never on the caller's thread: " + store.readOn);
    }

    /** A store whose reads stand for remote storage's (recording their threads), over a local one. */
    private static final class RemoteBacked implements EntryStore {
        final InMemoryEntryStore local = new InMemoryEntryStore(EntryCodec.defaults());
        final List<String> readOn = new CopyOnWriteArrayList<>();

        @Override
        public EntryStore local() {
            return local;
        }

        @Override
        public CacheEntry get(Digest key) throws CorruptEntryException {
            readOn.add(Thread.currentThread().getName());
            return local.get(key);
        }

        @Override
        public byte[] getEncoded(Digest key) {
            readOn.add(Thread.currentThread().getName());
            return local.getEncoded(key);
        }

        @Override
        public void put(Digest key, CacheEntry entry) {
            local.put(key, entry);
        }

        @Override
        public boolean remove(Digest key) {
            return local.remove(key);
        }

        @Override
        public void putEncoded(Digest key, byte[] encoded) {
            local.putEncoded(key, encoded);
        }

        @Override
        public void forEachKey(Consumer<Digest> action) {
            local.forEachKey(action);
        }

        @Override
        public void clear() {
            local.clear();
        }

        @Override
        public long totalBytes() {
            return local.totalBytes();
        }

        @Override
        public long entryCount() {
            return local.entryCount();
        }
    }
}
