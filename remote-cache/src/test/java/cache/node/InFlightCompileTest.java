package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.Message;
import cache.node.protocol.NodeProtocol.Result;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's in-flight table with a fake compiler that counts its runs and is held until the
 * test lets it finish: identical concurrent compiles run once and every request gets the same
 * answer; other keys are not held up by it; a failed compile is shared but never remembered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InFlightCompileTest {

    @TempDir
    Path dir;

    private final AtomicInteger runs = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile int exitCode;
    private NodeService service;

    /** Answers identity questions; a compile counts itself, waits for {@link #release}, writes its -o file. */
    private final ProcessRunner compiler = FakeGccNode.gcc((cmd, cwd) -> {
        int n = runs.incrementAndGet();
        if (!release.await(20, TimeUnit.SECONDS)) {
            throw new InterruptedException("never released");
        }
        if (exitCode == 0) {
            Path out = cwd.resolve(cmd.get(cmd.indexOf("-o") + 1));
            Files.write(out, ("object of run " + n).getBytes(StandardCharsets.UTF_8));
        }
        return new ProcessResult(exitCode, ("stdout " + n).getBytes(StandardCharsets.UTF_8),
                ("stderr " + n).getBytes(StandardCharsets.UTF_8));
    });

    @BeforeEach
    void start() throws Exception {
        service = FakeGccNode.start(dir, new NodeConfig().jobs(2), compiler);
    }

    @AfterEach
    void stop() {
        release.countDown();
        service.close();
    }

    @Test
    void identicalConcurrentCompilesRunTheCompilerOnceAndAllGetItsEntry() throws Exception {
        Digest key = Digest.of("one key".getBytes(StandardCharsets.UTF_8));
        List<CompletableFuture<Message>> replies = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            replies.add(service.handle(FakeGccNode.compile(id, key), "client-" + id));
        }
        awaitJoined(3);
        release.countDown();

        byte[] first = null;
        for (int i = 0; i < replies.size(); i++) {
            Message m = replies.get(i).get(10, TimeUnit.SECONDS);
            Result r = assertInstanceOf(Result.class, m, "request " + (i + 1) + " answered with a RESULT: " + m);
            assertEquals(i + 1, r.id(), "each request answered under its own id");
            assertTrue(r.stored(), "the result was stored, for every waiter too");
            if (first == null) {
                first = r.entry();
            }
            assertArrayEquals(first, r.entry(), "every request gets the same entry");
        }
        CacheEntry e = EntryCodec.defaults().decode(first);
        assertEquals(0, e.exitCode());
        assertArrayEquals("object of run 1".getBytes(StandardCharsets.UTF_8), e.outputs().get(OutputKind.OBJECT));
        assertArrayEquals("stderr 1".getBytes(StandardCharsets.UTF_8), e.stderr());
        assertEquals(1, runs.get(), "the compiler ran once for four identical requests");
        assertEquals(1L, service.stats().snapshot().get("compiles_ok"));
        assertEquals(3L, service.stats().snapshot().get("compiles_joined"));
    }

    @Test
    void aDifferentKeyIsNotJoinedToARunningCompile() throws Exception {
        CompletableFuture<Message> a = service.handle(FakeGccNode.compile(1, Digest.of(new byte[] {1})), "a");
        CompletableFuture<Message> b = service.handle(FakeGccNode.compile(2, Digest.of(new byte[] {2})), "b");
        awaitRuns(2);
        release.countDown();
        assertInstanceOf(Result.class, a.get(10, TimeUnit.SECONDS));
        assertInstanceOf(Result.class, b.get(10, TimeUnit.SECONDS));
        assertEquals(2, runs.get(), "two keys, two compiles");
        assertEquals(0L, service.stats().snapshot().get("compiles_joined"));
    }

    @Test
    void aFailedCompileIsSharedByItsWaitersButNotRemembered() throws Exception {
        exitCode = 1;
        Digest key = Digest.of("failing".getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Message> a = service.handle(FakeGccNode.compile(1, key), "a");
        CompletableFuture<Message> b = service.handle(FakeGccNode.compile(2, key), "b");
        awaitJoined(1);
        release.countDown();
        Result ra = assertInstanceOf(Result.class, a.get(10, TimeUnit.SECONDS));
        Result rb = assertInstanceOf(Result.class, b.get(10, TimeUnit.SECONDS));
        assertArrayEquals(ra.entry(), rb.entry(), "the waiter gets the failed compile's own answer");
        assertEquals(1, EntryCodec.defaults().decode(rb.entry()).exitCode());
        assertTrue(!ra.stored() && !rb.stored(), "a failure is not stored");
        assertEquals(1, runs.get());

        Result again = assertInstanceOf(Result.class,
                service.handle(FakeGccNode.compile(3, key), "c").get(10, TimeUnit.SECONDS));
        assertEquals(1, EntryCodec.defaults().decode(again.entry()).exitCode());
        assertEquals(2, runs.get(), "a later request compiles again: failures are not remembered");
    }

    private void awaitJoined(long n) throws InterruptedException {
        while (service.stats().snapshot().get("compiles_joined") < n) {
            Thread.sleep(10);
        }
    }

    private void awaitRuns(int n) throws InterruptedException {
        while (runs.get() < n) {
            Thread.sleep(10);
        }
    }
}
