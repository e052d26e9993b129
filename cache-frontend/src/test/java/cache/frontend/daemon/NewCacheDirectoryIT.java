package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.frontend.pipeline.CompilePipeline;
import cache.frontend.pipeline.CompileRequest;
import cache.frontend.pipeline.Outcome;
import cache.process.DefaultProcessRunner;
import cache.store.LocalStore;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache directory that does not exist yet, with a real {@code file:} remote storage, real gcc,
 * real RocksDB and the directory's real socket: its first call is answered from remote storage
 * while RocksDB still creates the store (the open is held on a latch, so "before" is an order
 * of events, not a timing), and its back-fill lands in the store once the open ends.
 */
@Timeout(60)
class NewCacheDirectoryIT {

    @TempDir
    Path tmp;

    private Path src;
    private EventLoopGroup loop;
    private ExecutorService workers;

    @BeforeEach
    void setUp() throws Exception {
        src = Files.createDirectories(tmp.resolve("src"));
        Path x = Files.writeString(src.resolve("x.c"), "#include <string.h>\nint x(const char *s) { return strlen(s) * 3; }\n");
        Files.setLastModifiedTime(x, FileTime.from(Instant.now().minusSeconds(3600)));
        // Its ctime cannot be set back: a source changed within the daemon's margin (0.1 s) is not
        // recorded in a manifest, and the direct-mode case's second call would take preprocessor mode.
        Thread.sleep(300);
        loop = new EpollEventLoopGroup(1);
        workers = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() {
        workers.shutdownNow();
        loop.shutdownGracefully().awaitUninterruptibly();
    }

    private Map<String, String> env(Path cacheDir, boolean direct) {
        return Map.of("HOME", tmp.toString(), "PATH", System.getenv("PATH"), "LC_ALL", "C",
                "CCACHE_DIR", cacheDir.toString(), "CCACHE_REMOTE_STORAGE", "file:" + tmp.resolve("remote"),
                direct ? "CCACHE_DIRECT" : "CCACHE_NODIRECT", "1");
    }

    private CompileRequest request(Path cacheDir, Path out, boolean direct) throws Exception {
        Map<String, String> env = env(cacheDir, direct);
        Config config = new ConfigLoader().load(env, tmp.resolve("no-system.conf"), src);
        return new CompileRequest("gcc", Path.of("/usr/bin/gcc"), List.of("-O2", "-c", "x.c", "-o", out.toString()),
                src, env, 022, false, config);
    }

    /** The call as the daemon's worker runs it for a directory not open yet: the reply's after-work left. */
    private static Outcome call(CacheDirectories.Lease lease, CompileRequest r) throws Exception {
        return lease.pipeline().handleHere(r, System.nanoTime());
    }

    /** The call with its after-reply work done, as the daemon has done it once the client has its answer. */
    private static Outcome settled(Outcome o) {
        if (o instanceof Outcome.Replay r && r.afterReply() != null) {
            r.afterReply().run();
        }
        return o;
    }

    @Test
    void aNewDirectorysFirstCallIsARemoteHitBeforeItsStoreIsOpenAndItsBackFillLandsAfter() throws Exception {
        firstCallOfANewDirectory(true);
    }

    /** Preprocessor mode's remote hit (direct mode off) leaves its back-fill for after the reply too. */
    @Test
    void aPreprocessorModeRemoteHitIsAnsweredBeforeTheStoreIsOpenAndItsBackFillLandsAfter() throws Exception {
        firstCallOfANewDirectory(false);
    }

    /** As ccache: a new cache directory gets CACHEDIR.TAG (tar --exclude-caches, borg, restic), under the caller's umask. */
    @Test
    void aNewCacheDirectoryGetsCcachesCacheDirTagUnderTheCallersUmask() throws Exception {
        Path dir = tmp.resolve("tagged");
        CompilePipeline.Shared shared = new CompilePipeline.Shared(new DefaultProcessRunner(), null);
        try (CacheDirectories dirs = new CacheDirectories(shared, 022, Duration.ofMinutes(5), loop, workers)) {
            CompileRequest r = request(dir, tmp.resolve("t.o"), true);
            try (CacheDirectories.Lease l = dirs.lease(dir, r.config(), 027)) {
                assertTrue(l.local().isPresent(), "the store was opened, in the directory it made");
                Path tag = dir.resolve("CACHEDIR.TAG");
                assertTrue(Files.readString(tag).startsWith("Signature: 8a477f597d28d172789f06886806bc55\n"));
                assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(tag)), "0666 less the caller's umask");
            }
        } finally {
            shared.close();
        }
    }

    private void firstCallOfANewDirectory(boolean direct) throws Exception {
        // a first daemon fills remote storage
        Path first = tmp.resolve("first");
        CompilePipeline.Shared shared1 = new CompilePipeline.Shared(new DefaultProcessRunner(), null);
        try (CacheDirectories dirs = new CacheDirectories(shared1, 022, Duration.ofMinutes(5), loop, workers)) {
            CompileRequest r = request(first, tmp.resolve("seed.o"), direct);
            try (CacheDirectories.Lease l = dirs.leaseForCall(first, r.config(), 022)) {
                assertInstanceOf(Outcome.Replay.class, settled(call(l, r)));
            }
        }
        shared1.close(); // its background writes to remote storage are done
        byte[] compiled = Files.readAllBytes(tmp.resolve("seed.o"));

        // a second daemon, whose store opens only when the test says so
        Path second = tmp.resolve("second");
        CountDownLatch openBegun = new CountDownLatch(1);
        CountDownLatch mayOpen = new CountDownLatch(1);
        AtomicBoolean opened = new AtomicBoolean();
        CompilePipeline.Shared shared2 = new CompilePipeline.Shared(new DefaultProcessRunner(), null);
        try (CacheDirectories dirs = new CacheDirectories(shared2, 022, Duration.ofMinutes(5), loop, workers,
                (db, codec, options) -> {
                    openBegun.countDown();
                    try {
                        // bounded: a call that waits for the open must fail the test, not hang it
                        if (!mayOpen.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                            throw new java.io.IOException("the test never let the store open");
                        }
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    LocalStore s = LocalStore.open(db, codec, options);
                    opened.set(true);
                    return s;
                })) {
            CompileRequest r = request(second, tmp.resolve("hit.o"), direct);
            assertNull(dirs.leaseIfOpen(second), "nothing open yet");
            CacheDirectories.Lease lease = dirs.leaseForCall(second, r.config(), 022);
            openBegun.await();
            assertNull(dirs.leaseIfOpen(second), "a store still opening is not for the event loop");

            Outcome o = call(lease, r);
            assertFalse(opened.get(), "the call was answered while its store was still opening");
            Outcome.Replay replay = assertInstanceOf(Outcome.Replay.class, o);
            assertEquals(0, replay.exitCode());
            assertArrayEquals(compiled, Files.readAllBytes(tmp.resolve("hit.o")), "the remote hit is the compile's object");
            assertTrue(replay.afterReply() != null, "its back-fill is left for after the reply");

            CompletableFuture<Void> backFill = CompletableFuture.runAsync(replay.afterReply(), workers);
            mayOpen.countDown();
            backFill.get();
            lease.close();

            try (CacheDirectories.Lease admin = dirs.lease(second, r.config(), 022)) {
                assertTrue(opened.get());
                LocalStore store = admin.local().orElseThrow();
                assertEquals(1, store.entries().entryCount(), "the back-fill landed once the store was open");
                Map<String, Long> c = store.counters().snapshot();
                assertEquals(1L, c.get(Counter.REMOTE_STORAGE_HIT.id()), c.toString());
                // direct mode writes the entry and its manifest; preprocessor mode the entry alone
                assertEquals(direct ? 2L : 1L, c.get(Counter.LOCAL_STORAGE_WRITE.id()), c.toString());
                assertEquals(1L, c.get((direct ? Counter.DIRECT_CACHE_HIT : Counter.PREPROCESSED_CACHE_HIT).id()),
                        c.toString());
                assertNull(c.get(Counter.CACHE_MISS.id()), c.toString());
            }

            // and the next call is a local hit from the store the first one filled
            CompileRequest again = request(second, tmp.resolve("again.o"), direct);
            try (CacheDirectories.Lease l = dirs.leaseIfOpen(second)) {
                assertInstanceOf(Outcome.Replay.class, settled(call(l, again)));
                assertEquals(1L, l.counters().snapshot().get(Counter.LOCAL_STORAGE_HIT.id()));
            }
        } finally {
            mayOpen.countDown();
            shared2.close();
        }
    }
}
