package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.Counter;
import cache.compat.config.Config;
import cache.compat.config.ConfigLoader;
import cache.frontend.key.PreparedManifest;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons' pipelines, each with its own empty local store, sharing one {@code file:} remote
 * storage: ccache's storage interaction table, with a scripted compiler (no processes, no
 * sockets). Each "daemon" is closed before the other looks, which waits for its background
 * writes.
 */
@Timeout(60)
class RemoteStoragePipelineTest {

    @TempDir
    Path cwd;

    private Path gcc;
    private Path remote;

    /** One daemon: its own store, counters, compiler and shared part. */
    final class Daemon {
        final InMemoryEntryStore local = new InMemoryEntryStore(EntryCodec.defaults());
        final InMemoryBlobStore manifests = new InMemoryBlobStore();
        final InMemoryCounterStore counters = new InMemoryCounterStore();
        final PipelineSeamsTest.ScriptedCompiler compiler;
        final CompilePipeline.Shared shared;
        final Clock clock;
        final CompilePipeline pipeline;

        /** Preprocessor mode only: the compiler names no search path, so no manifest is recorded. */
        Daemon() {
            this(false);
        }

        /** @param directMode whether the compiler names a search path and the files are old enough for manifests */
        Daemon(boolean directMode) {
            RemoteLookupOffEventLoopTest.ProbedCompiler probed = new RemoteLookupOffEventLoopTest.ProbedCompiler();
            compiler = probed.compiler;
            shared = new CompilePipeline.Shared(directMode ? probed : compiler, null);
            Instant now = directMode ? Instant.now().plusSeconds(3600) : Instant.ofEpochSecond(1_700_000_000);
            clock = Clock.fixed(now, ZoneOffset.UTC);
            pipeline = new CompilePipeline(local, manifests, counters, shared, clock, 022, List.of(), List.of());
        }

        /** Another cache directory of {@code daemon}: its own empty stores and counters, the same process. */
        Daemon(Daemon daemon) {
            compiler = daemon.compiler;
            shared = daemon.shared;
            clock = daemon.clock;
            pipeline = new CompilePipeline(local, manifests, counters, shared, clock, 022, List.of(), List.of());
        }

        Outcome compile(String... settings) throws Exception {
            return pipeline.handle(request(settings));
        }

        /** The call as the daemon runs it: its after-reply work left in the outcome. */
        Outcome compileHere(String... settings) throws Exception {
            return pipeline.handleHere(request(settings), System.nanoTime());
        }

        private CompileRequest request(String... settings) throws Exception {
            Map<String, String> env = env(settings);
            Config config = new ConfigLoader().load(env, cwd.resolve("no-system.conf"), cwd);
            Files.deleteIfExists(cwd.resolve("x.o"));
            return new CompileRequest("gcc", gcc, List.of("-c", "x.c", "-o", "x.o"), cwd, env, 022, false, config);
        }

        private Map<String, String> env(String... settings) {
            Map<String, String> env = new HashMap<>(Map.of("HOME", cwd.toString(),
                    "CCACHE_REMOTE_STORAGE", "file:" + remote));
            for (int i = 0; i < settings.length; i += 2) {
                env.put(settings[i], settings[i + 1]);
            }
            return env;
        }

        /** Whether this daemon remembers its match of the one manifest it decoded, for a call from {@code cwd} now. */
        boolean matchRemembered() throws Exception {
            Config config = new ConfigLoader().load(env(), cwd.resolve("no-system.conf"), cwd);
            PreparedManifest m = shared.decodedManifests.asMap().values().iterator().next().manifest();
            return shared.directMode.remembered(m, cwd, config.sloppiness(), System.nanoTime());
        }

        /** How many reads were handed to the daemon's remote-read threads so far. */
        long handedOff() {
            return ((ThreadPoolExecutor) shared.remoteReads).getTaskCount();
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

    /** The values in the file: storage (its CACHEDIR.TAG, written with the first one, left out). */
    private List<Path> remoteFiles() throws IOException {
        if (!Files.isDirectory(remote)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(remote)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.equals(remote.resolve("CACHEDIR.TAG"))).toList();
        }
    }

    @Test
    void aFileStorageGetsCcachesCacheDirTagWithItsFirstValueUnderItsUmask() throws Exception {
        Daemon d = new Daemon();
        assertInstanceOf(Outcome.Replay.class, d.compile("CCACHE_REMOTE_STORAGE", "file:" + remote + "|umask=026"));
        d.shared.close();
        Path tag = remote.resolve("CACHEDIR.TAG");
        assertTrue(Files.readString(tag).startsWith("Signature: 8a477f597d28d172789f06886806bc55\n"));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tag)), "0666 less the storage's umask, as ccache");
        assertEquals(1, remoteFiles().size(), "and the value beside it");
    }

    @Test
    void aSecondDaemonWithAnEmptyLocalStoreGetsARemoteHitAndBackFillsIt() throws Exception {
        Daemon first = new Daemon();
        assertInstanceOf(Outcome.Replay.class, first.compile());
        first.shared.close();
        assertEquals(1, first.compiler.compiles.size());
        assertEquals(1, first.count(Counter.REMOTE_STORAGE_MISS));
        assertEquals(1, first.count(Counter.REMOTE_STORAGE_WRITE), "the miss compiled here went to remote storage");
        assertEquals(1, remoteFiles().size());

        Daemon second = new Daemon();
        assertInstanceOf(Outcome.Replay.class, second.compile());
        assertEquals(List.of(), second.compiler.compiles, "nothing compiled: a remote hit");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_READ_HIT));
        assertEquals(1, second.count(Counter.PREPROCESSED_CACHE_HIT));
        assertEquals(1, second.local.entryCount(), "the remote hit back-filled the local store");
        assertEquals(1, second.count(Counter.LOCAL_STORAGE_MISS), "ccache counts the local miss before a remote hit");
        assertEquals(1, second.count(Counter.LOCAL_STORAGE_WRITE), "the back-fill is a local write");

        assertInstanceOf(Outcome.Replay.class, second.compile());
        assertEquals(1, second.count(Counter.LOCAL_STORAGE_HIT), "then it is a local hit");
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_READ_HIT), "remote storage not asked again");
        second.shared.close();
    }

    @Test
    void remoteOnlyNeverUsesTheLocalStore() throws Exception {
        Daemon first = new Daemon();
        first.compile("CCACHE_REMOTE_ONLY", "1");
        first.shared.close();
        assertEquals(0, first.local.entryCount(), "remote_only writes nothing locally");
        assertEquals(1, remoteFiles().size());
        for (Counter c : List.of(Counter.LOCAL_STORAGE_MISS, Counter.LOCAL_STORAGE_READ_MISS, Counter.LOCAL_STORAGE_WRITE)) {
            assertEquals(0, first.count(c), c + ": the local store was never asked (ccache's remote_only suite)");
        }
        assertEquals(1, first.count(Counter.REMOTE_STORAGE_MISS));
        Daemon second = new Daemon();
        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_ONLY", "1"));
        assertEquals(List.of(), second.compiler.compiles);
        assertEquals(0, second.local.entryCount(), "and back-fills nothing");
        second.shared.close();
    }

    @Test
    void remoteOnlyKeepsNoManifestLocallyAndDirectModeGoesThroughRemoteManifests() throws Exception {
        Daemon first = new Daemon(true);
        first.compile("CCACHE_REMOTE_ONLY", "1");
        first.shared.close();
        assertEquals(0, first.local.entryCount());
        assertEquals(0, first.manifests.size(), "remote_only keeps no manifest locally either");
        assertEquals(2, remoteFiles().size(), "the entry and its manifest");

        Daemon second = new Daemon(true);
        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_ONLY", "1"));
        assertEquals(List.of(), second.compiler.compiles);
        assertEquals(1, second.count(Counter.DIRECT_CACHE_HIT), "the remote manifest gave the entry key");
        assertEquals(0, second.local.entryCount());
        assertEquals(0, second.manifests.size());
        Files.writeString(cwd.resolve("x.c"), "int y;\n");
        Files.setLastModifiedTime(cwd.resolve("x.c"), java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_ONLY", "1"));
        second.shared.close();
        assertEquals(0, second.manifests.size(), "a miss compiled here records its manifest remotely only");
        assertEquals(4, remoteFiles().size(), "two entries, two manifests");
    }

    /** The one remote value whose first byte is {@code version}: 1 an entry's frame, 2 a manifest with its entry. */
    private Path remoteValue(int version) throws IOException {
        List<Path> found = new java.util.ArrayList<>();
        for (Path p : remoteFiles()) {
            if (Files.readAllBytes(p)[0] == version) {
                found.add(p);
            }
        }
        assertEquals(1, found.size(), "values of version " + version);
        return found.get(0);
    }

    /** A direct-mode remote hit reads the manifest alone: the entry of its result is stored beside it. */
    @Test
    void aDirectModeRemoteHitTakesTheEntryStoredBesideItsManifest() throws Exception {
        compiledByAFirstDaemon();
        assertEquals(2, remoteFiles().size(), "the entry under its own key and the manifest with it beside");
        Files.delete(remoteValue(1)); // the entry's own value: only the one beside the manifest is left

        Daemon second = remoteHitOfASecondDaemon("a remote hit without the entry's own value");
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(2, second.count(Counter.REMOTE_STORAGE_READ_HIT), "the manifest and its entry, as ccache counts them");
        assertEquals(0, second.count(Counter.REMOTE_STORAGE_READ_MISS), "nothing else asked");
        assertEquals(1, second.local.entryCount(), "the entry back-filled");
        assertEquals(1, second.manifests.size(), "and the manifest");
    }

    /** A damaged entry beside its manifest is counted and not taken: the entry is read under its own key. */
    @Test
    void aDamagedEntryBesideItsManifestIsCountedAndReadUnderItsOwnKey() throws Exception {
        compiledByAFirstDaemon();
        Path manifest = remoteValue(2);
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length - 8] ^= 0x10; // in the entry's bytes, which end the value
        Files.write(manifest, bytes);

        Daemon second = remoteHitOfASecondDaemon("still a remote hit");
        assertEquals(1, second.count(Counter.CORRUPT_ENTRY));
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_HIT), "from the entry's own value");
    }

    /**
     * ccache's remote_file "Manifest merging": the local manifest knows the source under one
     * version of its header, remote storage's under another, and the header is back at that
     * other version. The local manifest has no match, so remote storage's is asked: a direct hit,
     * no preprocessor run. Its result is then merged into the local manifest, which answers
     * both versions without remote storage.
     */
    @Test
    void aLocalManifestWithoutAMatchAsksRemoteStoragesAndLearnsItsResult() throws Exception {
        Path h = Files.writeString(cwd.resolve("h.h"), "int v1;\n");
        // the scripted preprocessor copies x.c: its line markers name h.h, whose digest the manifest records
        Files.writeString(cwd.resolve("x.c"), "# 1 \"x.c\"\n# 1 \"h.h\" 1\nint v;\n# 2 \"x.c\" 2\n");
        compiledByAFirstDaemon(); // remote storage: a manifest of h.h at v1
        Daemon second = new Daemon(true);
        Files.writeString(h, "int v2;\n");
        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_STORAGE", ""));
        assertEquals(1, second.compiler.compiles.size(), "compiled: the local manifest knows h.h at v2 only");
        Files.writeString(h, "int v1;\n");

        assertInstanceOf(Outcome.Replay.class, second.compile());
        assertEquals(1, second.count(Counter.DIRECT_CACHE_HIT), "remote storage's manifest answered");
        assertEquals(0, second.count(Counter.PREPROCESSED_CACHE_HIT), "no preprocessor run");
        assertEquals(1, second.compiler.compiles.size());

        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_STORAGE", ""));
        assertEquals(2, second.count(Counter.DIRECT_CACHE_HIT), "h.h at v1 now answered by the local manifest");
        Files.writeString(h, "int v2;\n");
        assertInstanceOf(Outcome.Replay.class, second.compile("CCACHE_REMOTE_STORAGE", ""));
        assertEquals(3, second.count(Counter.DIRECT_CACHE_HIT), "and v2 still");
        assertEquals(1, second.compiler.compiles.size());
        second.shared.close();
    }

    /** x.c compiled in direct mode by a daemon of its own, its entry and manifest written to remote storage. */
    private void compiledByAFirstDaemon() throws Exception {
        Daemon first = new Daemon(true);
        first.compile();
        first.shared.close();
    }

    /** x.c asked of a second daemon with an empty local store: a direct-mode hit, nothing compiled. */
    private Daemon remoteHitOfASecondDaemon(String why) throws Exception {
        Daemon second = new Daemon(true);
        assertInstanceOf(Outcome.Replay.class, second.compile());
        second.shared.close();
        assertEquals(List.of(), second.compiler.compiles, why);
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        assertEquals(1, second.count(Counter.DIRECT_CACHE_HIT));
        return second;
    }

    /**
     * A CI runner's daemon serving job after job, each with a new cache directory: a manifest it
     * fetches again, byte for byte the one it decoded for the last directory, is taken as decoded
     * then (with the match it remembers), as a local lookup takes it.
     */
    @Test
    void aRemoteManifestOfBytesTheDaemonDecodedBeforeIsNotDecodedAgain() throws Exception {
        compiledByAFirstDaemon();
        Daemon job1 = new Daemon(true);
        assertInstanceOf(Outcome.Replay.class, job1.compile());
        assertEquals(1, job1.shared.decodedManifests.estimatedSize(), "the fetched manifest, decoded");
        Manifests.Decoded decoded = job1.shared.decodedManifests.asMap().values().iterator().next();

        Daemon job2 = new Daemon(job1);
        assertInstanceOf(Outcome.Replay.class, job2.compile());
        job1.shared.close();
        assertEquals(List.of(), job1.compiler.compiles, "both jobs' calls were remote hits");
        assertEquals(1, job2.count(Counter.DIRECT_CACHE_HIT));
        assertEquals(1, job2.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(1, job2.local.entryCount(), "the second job's directory back-filled too");
        assertEquals(1, job2.manifests.size());
        assertSame(decoded.manifest(), job2.shared.decodedManifests.asMap().values().iterator().next().manifest(),
                "the second fetch of the same bytes was not decoded again");
    }

    /**
     * A manifest fetched again whose match the daemon remembers gives its entry key at once: the
     * entry beside it is decoded by the call itself, not handed to a remote-read thread (nothing
     * to overlap the decode with); a first fetch, whose match takes the time, still hands it off.
     * A damaged entry beside it is counted and read under its own key, as on the other path.
     */
    @Test
    void anEntryBesideAManifestWhoseMatchIsRememberedIsDecodedByTheCallItself() throws Exception {
        compiledByAFirstDaemon();
        Daemon job1 = new Daemon(true);
        assertInstanceOf(Outcome.Replay.class, job1.compile());
        assertEquals(1, job1.handedOff(), "the first fetch's entry decoded beside the match");
        // The paths a match looked at are watched in the background: until then it is not remembered.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!job1.matchRemembered() && System.nanoTime() < deadline) {
            assertInstanceOf(Outcome.Replay.class, new Daemon(job1).compile());
            Thread.sleep(20);
        }
        assertTrue(job1.matchRemembered(), "the match is remembered once the files are watched");

        long before = job1.handedOff();
        Daemon job2 = new Daemon(job1);
        assertInstanceOf(Outcome.Replay.class, job2.compile());
        assertEquals(before, job1.handedOff(), "decoded by the call itself");
        assertEquals(1, job2.count(Counter.REMOTE_STORAGE_HIT));
        assertEquals(2, job2.count(Counter.REMOTE_STORAGE_READ_HIT), "the manifest and the entry beside it");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));

        Path manifest = remoteValue(2);
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length - 8] ^= 0x10; // in the entry's bytes, which end the value: the manifest is intact
        Files.write(manifest, bytes);
        Daemon job3 = new Daemon(job1);
        assertInstanceOf(Outcome.Replay.class, job3.compile());
        job1.shared.close();
        assertEquals(before, job1.handedOff(), "decoded by the call itself again");
        assertEquals(1, job3.count(Counter.CORRUPT_ENTRY));
        assertEquals(1, job3.count(Counter.REMOTE_STORAGE_HIT), "from the entry's own value");
        assertEquals(List.of(), job1.compiler.compiles, "every job's call a remote hit");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
    }

    @Test
    void aPreprocessorModeRemoteHitLeavesItsBackFillForAfterTheReply() throws Exception {
        Daemon first = new Daemon(true);
        first.compile("CCACHE_NODIRECT", "1"); // no manifest anywhere: the second daemon's call takes preprocessor mode
        first.shared.close();
        assertEquals(1, remoteFiles().size(), "the entry alone");

        Daemon second = new Daemon(true);
        Outcome.Replay hit = assertInstanceOf(Outcome.Replay.class, second.compileHere());
        assertEquals(List.of(), second.compiler.compiles, "a remote hit");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")), "written before the reply");
        assertEquals(1, second.count(Counter.PREPROCESSED_CACHE_HIT));
        assertNotNull(hit.afterReply(), "store work left for after the reply");
        assertEquals(0, second.local.entryCount(), "the back-fill is not written before the reply");
        assertEquals(1, second.manifests.size(), "the manifest the hit records is (a small local write)");

        hit.afterReply().run();
        assertEquals(1, second.local.entryCount(), "the back-fill, after the reply");
        assertEquals(2, second.count(Counter.LOCAL_STORAGE_WRITE), "the manifest and the back-fill: "
                + second.counters.snapshot());

        Files.deleteIfExists(cwd.resolve("x.o"));
        assertInstanceOf(Outcome.Replay.class, second.compile());
        assertEquals(1, second.count(Counter.DIRECT_CACHE_HIT), "the recorded manifest gives the key");
        assertEquals(1, second.count(Counter.LOCAL_STORAGE_HIT), "and the back-filled entry answers");
        second.shared.close();
    }

    @Test
    void readOnlyStorageIsReadButNeverWritten() throws Exception {
        Daemon first = new Daemon();
        first.compile("CCACHE_REMOTE_STORAGE", "file:" + remote + "|read-only");
        first.shared.close();
        assertEquals(List.of(), remoteFiles());
        assertEquals(0, first.count(Counter.REMOTE_STORAGE_WRITE));
        assertEquals(1, first.count(Counter.REMOTE_STORAGE_MISS), "it was read");
    }

    @Test
    void reshareWritesALocalHitToRemoteStorage() throws Exception {
        Daemon d = new Daemon();
        d.compile("CCACHE_REMOTE_STORAGE", "");
        assertEquals(List.of(), remoteFiles());
        d.compile("CCACHE_RESHARE", "1");
        d.shared.close();
        assertEquals(1, d.count(Counter.LOCAL_STORAGE_HIT));
        assertEquals(1, remoteFiles().size(), "the local hit was reshared");
        assertEquals(1, d.count(Counter.REMOTE_STORAGE_WRITE));
    }

    /**
     * ccache's remote_file "Reshare": a local direct hit reshares its manifest too, so that a
     * machine with an empty local cache then hits in direct mode, without a preprocessor run.
     */
    @Test
    void reshareOfALocalDirectHitWritesItsManifestTooForDirectHitsElsewhere() throws Exception {
        Daemon d = new Daemon(true);
        d.compile("CCACHE_REMOTE_STORAGE", "");
        assertEquals(List.of(), remoteFiles());
        d.compile("CCACHE_RESHARE", "1");
        d.shared.close();
        assertEquals(1, d.count(Counter.DIRECT_CACHE_HIT));
        assertEquals(2, remoteFiles().size(), "the entry and its manifest");
        assertEquals(2, d.count(Counter.REMOTE_STORAGE_WRITE), "as ccache counts a reshare: result and manifest");

        Daemon other = new Daemon(true);
        assertInstanceOf(Outcome.Replay.class, other.compile());
        other.shared.close();
        assertEquals(List.of(), other.compiler.compiles);
        assertEquals(1, other.count(Counter.DIRECT_CACHE_HIT), "a direct hit from the reshared manifest");
        assertEquals(0, other.count(Counter.PREPROCESSED_CACHE_HIT));
    }

    @Test
    void aPoisonedRemoteValueIsAMissCountedAndReplaced() throws Exception {
        Daemon first = new Daemon();
        first.compile();
        first.shared.close();
        Path value = remoteFiles().get(0);
        byte[] bytes = Files.readAllBytes(value);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(value, bytes);

        Daemon second = new Daemon();
        assertInstanceOf(Outcome.Replay.class, second.compile());
        second.shared.close();
        assertEquals(1, second.compiler.compiles.size(), "compiled, not served from a bad value");
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        assertEquals(1, second.count(Counter.CORRUPT_ENTRY));
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_MISS));
        assertEquals(1, second.count(Counter.REMOTE_STORAGE_WRITE), "the good result replaced it");
        Daemon third = new Daemon();
        third.compile();
        third.shared.close();
        assertEquals(1, third.count(Counter.REMOTE_STORAGE_HIT));
    }

    @Test
    void aBrokenStorageIsCountedOnceThenBackedOffAndTheBuildGoesOn() throws Exception {
        Files.writeString(remote, "a file where a directory should be");
        Daemon d = new Daemon();
        assertInstanceOf(Outcome.Replay.class, d.compile());
        assertEquals(1, d.compiler.compiles.size());
        assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")));
        Files.writeString(cwd.resolve("x.c"), "int y;\n");
        assertInstanceOf(Outcome.Replay.class, d.compile());
        d.shared.close();
        assertEquals(2, d.compiler.compiles.size());
        assertEquals(1, d.count(Counter.REMOTE_STORAGE_ERROR), "one failure, then the storage is left alone");
        assertEquals(0, d.count(Counter.FALLBACK_LOCAL));
        assertTrue(d.count(Counter.LOCAL_STORAGE_WRITE) == 2, "the local store still works");
    }

    /**
     * ccache's remote_http "Basic auth failed": a server that answers GETs with 404 and PUTs with
     * 401. A call under {@code debug} has its write made and counted before it returns, and its
     * own log tells the PUT's status, with the URL's password left out.
     */
    @Test
    void aDebuggedCallsRemoteWriteIsMadeBeforeItEndsAndItsFailureIsInTheCallsLog() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicInteger puts = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            if (ex.getRequestMethod().equals("PUT")) {
                puts.incrementAndGet();
            }
            ex.sendResponseHeaders(ex.getRequestMethod().equals("PUT") ? 401 : 404, -1);
            ex.close();
        });
        server.start();
        try {
            String url = "http://somebody:secret123@127.0.0.1:" + server.getAddress().getPort() + "/cache";
            Daemon d = new Daemon();
            assertInstanceOf(Outcome.Replay.class, d.compile("CCACHE_REMOTE_STORAGE", url, "CCACHE_DEBUG", "1"));
            // no wait for background writes: the call made its write itself
            assertEquals(1, puts.get(), "the entry's PUT reached the server before the call returned");
            assertEquals(1, d.count(Counter.REMOTE_STORAGE_ERROR));
            Path log;
            try (Stream<Path> files = Files.list(cwd)) {
                log = files.filter(f -> f.getFileName().toString().matches("x\\.o\\..*\\.ccache-log")).findFirst().orElseThrow();
            }
            String text = Files.readString(log);
            assertTrue(text.contains("status code: 401"), text);
            assertTrue(!text.contains("secret123"), "the password is redacted: " + text);
            assertEquals("LOCAL-OBJ", Files.readString(cwd.resolve("x.o")), "the build goes on");
            d.shared.close();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aMalformedUrlIsIgnoredAndLocalCachingContinues() throws Exception {
        Daemon d = new Daemon();
        assertInstanceOf(Outcome.Replay.class, d.compile("CCACHE_REMOTE_STORAGE", "http:// file:relative"));
        assertInstanceOf(Outcome.Replay.class, d.compile("CCACHE_REMOTE_STORAGE", "http:// file:relative"));
        d.shared.close();
        assertEquals(1, d.compiler.compiles.size());
        assertEquals(1, d.count(Counter.LOCAL_STORAGE_HIT));
        assertEquals(0, d.count(Counter.FALLBACK_LOCAL));
    }
}
