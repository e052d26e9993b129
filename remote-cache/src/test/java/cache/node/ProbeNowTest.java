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
import cache.node.protocol.NodeProtocol.Hit;
import cache.node.protocol.NodeProtocol.Miss;
import cache.node.protocol.NodeProtocol.Probe;
import cache.node.protocol.NodeProtocol.Result;
import cache.process.ProcessRunner;
import cache.storage.remote.RemoteBackedStore;
import cache.store.EntryCodec;
import cache.store.InMemoryEntryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A probe answered on the connection's event loop ({@link NodeService#probeNow}): never by
 * running a process there (an unknown compiler goes to the lookup pool), with the same answers
 * as the pool's (miss, the stored entry's bytes, a mismatch refused), and never when remote
 * storage is behind the store (a network read); and a compile thread,
 * reniced once ({@link SelfNice}), starts its compilers without a {@code nice} process.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProbeNowTest {

    private static final CompilerSpec GCC = FakeGccNode.GCC;

    @TempDir
    Path dir;

    /** Every command the node ran. */
    private final List<List<String>> ran = new CopyOnWriteArrayList<>();

    /** The fake gcc, every command it was asked to run recorded in {@link #ran}. */
    private final ProcessRunner compiler = FakeGccNode.recording(ran);

    private NodeService service;

    private NodeService start(NodeConfig config) throws Exception {
        service = FakeGccNode.start(dir, config.jobs(1), compiler);
        return service;
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static Probe probe(int id, Digest key, CompilerSpec spec) {
        return new Probe(id, key, spec);
    }

    @Test
    void anUnknownCompilerIsLeftToThePoolAndNoProcessRunsOnTheEventLoop() throws Exception {
        NodeService s = start(new NodeConfig());
        Digest key = Digest.of("k".getBytes(StandardCharsets.UTF_8));
        assertNull(s.probeNow(probe(1, key, GCC), "peer"), "the compiler's identity is unknown: not answered here");
        assertTrue(ran.isEmpty(), "nothing was run: " + ran);
        assertInstanceOf(Miss.class, s.handle(probe(2, key, GCC), "peer").get(10, TimeUnit.SECONDS));
        int identityRuns = ran.size();
        assertInstanceOf(Miss.class, s.probeNow(probe(3, key, GCC), "peer"), "known now: answered at once");
        assertEquals(identityRuns, ran.size(), "no process for a probe answered on the event loop");
        assertEquals(2L, s.stats().snapshot().get("probes"), "both answered probes counted");
    }

    @Test
    void aHitOnTheEventLoopIsTheStoredEntryAndAMismatchIsRefused() throws Exception {
        NodeService s = start(new NodeConfig());
        Digest key = Digest.of("k".getBytes(StandardCharsets.UTF_8));
        Result compiled = assertInstanceOf(Result.class,
                s.handle(FakeGccNode.compile(1, key), "peer").get(10, TimeUnit.SECONDS));
        Hit hit = assertInstanceOf(Hit.class, s.probeNow(probe(2, key, GCC), "peer"));
        assertEquals(2, hit.id());
        assertArrayEquals(compiled.entry(), hit.entry(), "the stored entry's bytes");
        NodeProtocol.Error e = assertInstanceOf(NodeProtocol.Error.class,
                s.probeNow(probe(3, key, new CompilerSpec("gcc", "13.1.0", "x86_64-linux-gnu")), "peer"));
        assertEquals(ErrorCode.COMPILER_MISMATCH, e.code());
    }

    @Test
    void aStoreWithRemoteStorageBehindIsNeverReadOnTheEventLoop() throws Exception {
        List<String> remoteReadOn = new CopyOnWriteArrayList<>();
        Path bin = Files.createDirectories(dir.resolve("bin"));
        FakeGccNode.start(dir, new NodeConfig(), compiler).close(); // the placeholder gcc in dir/bin
        NodeConfig config = new NodeConfig().jobs(1).searchPath(List.of(bin))
                .tmpDir(Files.createDirectories(dir.resolve("jobs")));
        EntryCodec codec = EntryCodec.defaults();
        try (RemoteBackedStore store = new RemoteBackedStore(new InMemoryEntryStore(codec),
                "file:" + dir.resolve("remote"), codec, status -> remoteReadOn.add(Thread.currentThread().getName()))) {
            service = new NodeService(config, store, new CompilerResolver(null, List.of(bin), compiler), compiler,
                    new NodeStats());
            Digest key = Digest.of("k".getBytes(StandardCharsets.UTF_8));
            assertInstanceOf(Result.class, service.handle(FakeGccNode.compile(1, key), "peer").get(10, TimeUnit.SECONDS));
            Digest other = Digest.of("other".getBytes(StandardCharsets.UTF_8));
            assertNull(service.probeNow(probe(2, other, GCC), "peer"),
                    "the compiler is known, but remote storage is behind the store: left to the pool");
            assertInstanceOf(Miss.class, service.handle(probe(3, other, GCC), "peer").get(10, TimeUnit.SECONDS));
            assertTrue(remoteReadOn.size() >= 2, "the remote storage was read for the new keys: " + remoteReadOn);
            assertFalse(remoteReadOn.contains(Thread.currentThread().getName()),
                    "never on the caller's thread: " + remoteReadOn);
        }
    }

    @Test
    void aCompileThreadRenicesItselfAndStartsItsCompilerWithoutANiceProcess() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/renice")) || Files.isExecutable(Path.of("/bin/renice")),
                "no renice on this machine");
        NodeService s = start(new NodeConfig().nice(5));
        Digest key = Digest.of("k".getBytes(StandardCharsets.UTF_8));
        assertInstanceOf(Result.class, s.handle(FakeGccNode.compile(1, key), "peer").get(10, TimeUnit.SECONDS));
        List<String> job = ran.get(ran.size() - 1);
        assertEquals(dir.resolve("bin").resolve("gcc").toString(), job.get(0), "the compiler itself: " + job);
    }

    @Test
    void theNicenessIsReadFromAStatLineWhoseNameHoldsSpacesAndParentheses() {
        String stat = "4242 (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 25 5 30 0 123 456 789";
        assertEquals(5, SelfNice.niceOf(stat));
    }
}
