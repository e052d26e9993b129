package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon answers direct-mode hits on its event loop through {@link
 * CompilePipeline#handleQuick}; remote storage, which may block for its timeouts, must never be
 * asked there (docs/remote-storage.md says so). A {@code file:} remote storage with {@code
 * update-mtime} stamps every value it reads, which shows where a read happened: nothing is
 * stamped by the quick part of a call, and the deferred rest, run on a worker, reads both the
 * manifest and the entry. Direct mode works here because the scripted compiler answers the
 * search-path probe and the files are older than the (fixed) clock.
 */
@Timeout(60)
class RemoteLookupOffEventLoopTest {

    private static final FileTime OLD = FileTime.from(Instant.ofEpochSecond(1_000_000_000));

    @TempDir
    Path cwd;

    private Path gcc;
    private Path remote;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    /** The scripted compiler, which also names an include directory when asked for its search path. */
    static final class ProbedCompiler implements ProcessRunner {
        final PipelineSeamsTest.ScriptedCompiler compiler = new PipelineSeamsTest.ScriptedCompiler();

        @Override
        public ProcessResult run(List<String> command, Path dir, Map<String, String> env, Duration limit)
                throws IOException {
            if (command.contains("-v") && command.contains("/dev/null")) {
                return new ProcessResult(0, new byte[0], ("#include \"...\" search starts here:\n"
                        + "#include <...> search starts here:\n /nonexistent/include\nEnd of search list.\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return compiler.run(command, dir, env, limit);
        }
    }

    /** One daemon's pipeline: its own entry store; manifests in {@code manifests}. */
    final class Daemon {
        final InMemoryEntryStore local = new InMemoryEntryStore(EntryCodec.defaults());
        final InMemoryCounterStore counters = new InMemoryCounterStore();
        final ProbedCompiler compiler = new ProbedCompiler();
        final CompilePipeline.Shared shared = new CompilePipeline.Shared(compiler, null);
        final CompilePipeline pipeline;

        Daemon(InMemoryBlobStore manifests) {
            // an hour ahead of the files: every one is old enough for direct mode to remember
            pipeline = new CompilePipeline(local, manifests, counters, shared,
                    Clock.fixed(Instant.now().plusSeconds(3600), ZoneOffset.UTC), 022, List.of(), List.of());
        }

        CompileRequest request() throws Exception {
            Map<String, String> env = new HashMap<>(Map.of("HOME", cwd.toString(),
                    "CCACHE_REMOTE_STORAGE", "file:" + remote + "|update-mtime"));
            Config config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
            Files.deleteIfExists(cwd.resolve("x.o"));
            return new CompileRequest("gcc", gcc, List.of("-c", "x.c", "-o", "x.o"), cwd, env, 022, false, config);
        }

        long count(Counter c) {
            return counters.snapshot().getOrDefault(c.id(), 0L);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        gcc = Files.writeString(cwd.resolve("gcc"), "fake compiler binary");
        Files.writeString(cwd.resolve("x.c"), "int x;\n");
        remote = cwd.resolve("remote");
    }

    @AfterEach
    void tearDown() {
        worker.shutdownNow();
    }

    /** The remote storage's values, their stamps pushed back to {@link #OLD}. */
    private List<Path> ageRemoteValues() throws IOException {
        try (Stream<Path> s = Files.walk(remote)) {
            List<Path> values = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("CACHEDIR.TAG")).toList();
            for (Path p : values) {
                Files.setLastModifiedTime(p, OLD);
            }
            return values;
        }
    }

    private static long stamped(List<Path> values) throws IOException {
        long n = 0;
        for (Path p : values) {
            n += Files.getLastModifiedTime(p).equals(OLD) ? 0 : 1;
        }
        return n;
    }

    /** A first daemon compiles x.c: its entry and its manifest go to remote storage. */
    private void fillRemoteStorage(InMemoryBlobStore manifests) throws Exception {
        Daemon first = new Daemon(manifests);
        assertInstanceOf(Outcome.Replay.class, first.pipeline.handle(first.request()));
        first.shared.close();
        assertEquals(1, first.count(Counter.DIRECT_CACHE_MISS));
        assertEquals(2, first.count(Counter.REMOTE_STORAGE_WRITE), "the entry and its manifest");
    }

    /** The quick part of {@code d}'s call reads nothing remote; its rest, on a worker, is a remote direct hit. */
    private void assertRemoteHitOnlyOffTheQuickPath(Daemon d, List<Path> values, int readsExpected,
            int backFillsExpected) throws Exception {
        Outcome quick = d.pipeline.handleQuick(d.request());
        Outcome.Deferred rest = assertInstanceOf(Outcome.Deferred.class, quick, "a remote lookup is left for a worker");
        assertEquals(0, stamped(values), "remote storage was read on the calling (event-loop) thread");

        Thread caller = Thread.currentThread();
        Thread[] ran = new Thread[1];
        Outcome done = worker.submit(() -> {
            ran[0] = Thread.currentThread();
            return rest.rest().run();
        }).get();
        assertNotEquals(caller, ran[0]);
        Outcome.Replay replay = assertInstanceOf(Outcome.Replay.class, done);
        assertEquals(readsExpected, stamped(values), "the worker read remote storage");
        assertEquals(List.of(), d.compiler.compiler.compiles, "nothing compiled: a remote hit");
        assertEquals(1, d.count(Counter.DIRECT_CACHE_HIT));
        assertEquals(1, d.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(0, d.local.entryCount(), "the back-fill waits until the reply is sent");
        assertEquals(0, d.count(Counter.LOCAL_STORAGE_WRITE));
        assertInstanceOf(Runnable.class, replay.afterReply(), "the replay carries the back-fill");
        Outcome.settled(replay);
        assertEquals(1, d.local.entryCount(), "then the entry is back-filled");
        assertEquals(backFillsExpected, d.count(Counter.LOCAL_STORAGE_WRITE),
                "each value read is back-filled and counted: the entry, and the manifest when it came from remote storage");
        d.shared.close();
    }

    @Test
    void aRemoteManifestLookupIsNeverMadeOnTheQuickPath() throws Exception {
        fillRemoteStorage(new InMemoryBlobStore());
        List<Path> values = ageRemoteValues();
        assertEquals(2, values.size());
        // one read: the manifest, with the entry of its result beside it
        assertRemoteHitOnlyOffTheQuickPath(new Daemon(new InMemoryBlobStore()), values, 1, 2);
    }

    @Test
    void aRemoteEntryLookupAfterALocalManifestIsNeverMadeOnTheQuickPath() throws Exception {
        InMemoryBlobStore manifests = new InMemoryBlobStore();
        fillRemoteStorage(manifests);
        List<Path> values = ageRemoteValues();
        Daemon second = new Daemon(manifests); // the manifest is here, the entry only remote
        assertTrue(second.local.entryCount() == 0);
        assertRemoteHitOnlyOffTheQuickPath(second, values, 1, 1);
    }
}
