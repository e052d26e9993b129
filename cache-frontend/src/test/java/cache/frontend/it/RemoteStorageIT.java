package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two cache directories, each with its own daemon and an empty local store, sharing one real
 * server started here on a free loopback port: redis-server (with a password and a database
 * number, over TCP and its Unix socket) or nginx with WebDAV (each layout). The second build is
 * all remote hits with objects identical to plain gcc's. Servers failing during a build: {@link
 * RemoteStorageFailuresIT}; a real project: {@link RemoteStorageZlibIT}.
 */
@Timeout(300)
class RemoteStorageIT {

    private static final int FILES = 4;

    @TempDir
    Path tmp;

    private Process redis;
    private Process nginx;
    private int port;
    private Path src;

    @BeforeEach
    void setUp() throws Exception {
        RemoteServers.requireRedis();
        port = RemoteServers.freePort();
        Path dir = tmp.resolve("redis");
        redis = RemoteServers.startRedis(dir, port, "--unixsocket", dir.resolve("redis.sock").toString(),
                "--unixsocketperm", "700", "--requirepass", "t0psecret");
        src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(src.resolve("f" + i + ".c"), "#include <stdio.h>\n#include <string.h>\n"
                    + "int f" + i + "(const char *s) { return printf(\"%zu\\n\", strlen(s) * " + i + "); }\n");
        }
    }

    /** nginx with WebDAV PUT on a free loopback port, everything under the test's directory; its URL. */
    private String startNginx() throws Exception {
        RemoteServers.requireNginx();
        int http = RemoteServers.freePort();
        nginx = RemoteServers.startNginx(tmp.resolve("nginx"), http, RemoteServers.WEBDAV, "");
        return "http://127.0.0.1:" + http + "/cache";
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        RemoteServers.stop(redis);
        RemoteServers.stop(nginx);
    }

    private String url() {
        return "redis://t0psecret@127.0.0.1:" + port + "/5";
    }

    private CacheFixture daemon(String name, String remoteStorage) throws IOException {
        CacheFixture f = new CacheFixture(Files.createDirectories(tmp.resolve(name)));
        f.env.put("CCACHE_REMOTE_STORAGE", remoteStorage);
        return f;
    }

    /** Compiles f{from}..f{to-1}.c into {@code out}; every call must succeed. */
    private void build(CacheFixture f, Path out, int from, int to) throws Exception {
        Files.createDirectories(out);
        for (int i = from; i < to; i++) {
            CacheFixture.Result r = f.cache(src, "gcc", "-O2", "-c", "f" + i + ".c", "-o", out.resolve("f" + i + ".o").toString());
            assertEquals(0, r.exitCode(), r.err());
        }
    }

    /** Each object of {@code out} byte for byte as plain gcc makes it. */
    private void assertLikePlainGcc(Path out, int n) throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        for (int i = 0; i < n; i++) {
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-c", "f" + i + ".c", "-o",
                    plain.resolve("f" + i + ".o").toString()));
            assertEquals(0, CacheFixture.run(src, cmd, Map.of("PATH", System.getenv("PATH"), "LC_ALL", "C")).exitCode());
            assertArrayEquals(Files.readAllBytes(plain.resolve("f" + i + ".o")), Files.readAllBytes(out.resolve("f" + i + ".o")),
                    "f" + i + ".o");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "redis+unix", "subdirs", "flat", "bazel"})
    void aSecondCacheDirGetsRemoteHitsIdenticalToACompile(String backend) throws Exception {
        String remoteStorage = switch (backend) {
            case "redis" -> url() + "|connect-timeout=500";
            case "redis+unix" -> "redis+unix://t0psecret@localhost" + tmp.resolve("redis/redis.sock") + "?db=5";
            default -> startNginx() + "|layout=" + backend;
        };
        try (CacheFixture first = daemon("first", remoteStorage)) {
            build(first, tmp.resolve("out1"), 0, FILES);
            assertEquals(FILES, first.stat("remote_storage_miss"));
            first.stopDaemon(); // its background writes are done when it has stopped
            assertEquals(2 * FILES, first.stat("remote_storage_write"), "each entry and its manifest");
        }
        try (CacheFixture second = daemon("second", remoteStorage)) {
            build(second, tmp.resolve("out2"), 0, FILES);
            Map<String, Long> s = second.stats();
            assertEquals(FILES, s.get("remote_storage_hit"), s.toString());
            assertEquals(0, s.get("cache_miss"), "nothing compiled: " + s);
            assertEquals(0, s.get("remote_storage_error") + s.get("remote_storage_timeout"), s.toString());
            assertEquals(FILES, s.get("direct_cache_hit"), "manifests are shared too: direct hits, no preprocessor: " + s);
            assertLikePlainGcc(tmp.resolve("out2"), FILES);
            String shown = second.cache(src, "-s").out();
            assertTrue(shown.contains("Remote storage:"), shown);
            String config = second.cache(src, "-p").out();
            assertTrue(config.contains("remote_storage = " + (backend.startsWith("redis") ? "redis" : "http")), config);
            assertFalse(config.contains("t0psecret"), config);

            build(second, tmp.resolve("out3"), 0, FILES);
            assertEquals(2 * FILES, second.stat("direct_cache_hit"), "back-filled: now local direct-mode hits");
            assertEquals(FILES, second.stat("local_storage_hit"));
            assertEquals(FILES, second.stat("remote_storage_hit"), "remote storage not asked again");
        }
    }

    /** The GETs Redis has answered since it started ({@code INFO commandstats}). */
    private long redisGets() throws Exception {
        String info = RemoteServers.redisCli(port, 5, "-a", "t0psecret", "--no-auth-warning", "INFO", "commandstats");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_get:calls=(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * A remote hit's manifest comes with the entry of its result beside it (ManifestBundle):
     * Redis answers exactly one GET for the hit, and the reply is made from it.
     */
    @Test
    void aRemoteHitReadsItsManifestAndItsEntryInOneGet() throws Exception {
        try (CacheFixture first = daemon("first", url())) {
            build(first, tmp.resolve("out1"), 0, 1);
            first.stopDaemon(); // its background writes are done when it has stopped
        }
        try (CacheFixture second = daemon("second", url())) {
            long before = redisGets();
            build(second, tmp.resolve("out2"), 0, 1);
            long gets = redisGets() - before;
            Map<String, Long> s = second.stats();
            assertEquals(1, s.get("remote_storage_hit"), s.toString());
            assertEquals(1, s.get("direct_cache_hit"), s.toString());
            assertEquals(2, s.get("remote_storage_read_hit"), "the manifest and the entry, as ccache counts them: " + s);
            assertEquals(1, gets, "one GET: the manifest, its result's entry beside it");
            assertLikePlainGcc(tmp.resolve("out2"), 1);
        }
    }

    /**
     * An entry too large to be stored beside its manifest (over 512 KiB encoded: random data
     * zstd cannot shrink) is read under its own key, and only once: two GETs in all, so the read
     * started ahead of the match (EarlyRead) is the one whose answer is taken. That it starts
     * before the match is not asserted here (the daemon's phase log shows it).
     */
    @Test
    void aRemoteHitWhoseEntryIsTooLargeToLieBesideItsManifestReadsItOnceAhead() throws Exception {
        StringBuilder big = new StringBuilder("const unsigned char big[] = {");
        java.util.Random random = new java.util.Random(21);
        for (int i = 0; i < 600 * 1024; i++) {
            big.append(random.nextInt(256)).append(i % 32 == 31 ? ",\n" : ",");
        }
        Files.writeString(src.resolve("big.c"), big.append("};\n").toString());
        Files.setLastModifiedTime(src.resolve("big.c"), FileTime.from(Instant.now().minusSeconds(60)));
        String[] compile = {"gcc", "-c", "big.c", "-o", "big.o"};
        try (CacheFixture first = daemon("first", url())) {
            assertEquals(0, first.cache(src, compile).exitCode());
            first.stopDaemon();
        }
        byte[] plain = Files.readAllBytes(src.resolve("big.o"));
        assertTrue(plain.length > 600 * 1024, "an object of " + plain.length + " bytes");
        Files.delete(src.resolve("big.o"));
        try (CacheFixture second = daemon("second", url())) {
            long before = redisGets();
            assertEquals(0, second.cache(src, compile).exitCode());
            long gets = redisGets() - before;
            Map<String, Long> s = second.stats();
            assertEquals(1, s.get("remote_storage_hit"), s.toString());
            assertEquals(1, s.get("direct_cache_hit"), s.toString());
            assertEquals(2, gets, "the manifest's GET and the entry's, read once, ahead of the match");
            assertArrayEquals(plain, Files.readAllBytes(src.resolve("big.o")));
        }
    }

    /** {@code h.h} holding {@code value}, back-dated (with a pause for its ctime) so that direct mode records it. */
    private void header(String value, int secondsAgo) throws Exception {
        Path h = src.resolve("h.h");
        Files.writeString(h, "#define V " + value + "\n");
        Files.setLastModifiedTime(h, FileTime.from(Instant.now().minusSeconds(secondsAgo)));
        Thread.sleep(150);
    }

    @Test
    void aManifestWhoseNewestResultNoLongerMatchesGivesTheOlderResultsEntry() throws Exception {
        Files.writeString(src.resolve("g.c"), "#include \"h.h\"\nint g(void) { return V; }\n");
        Files.setLastModifiedTime(src.resolve("g.c"), FileTime.from(Instant.now().minusSeconds(60)));
        String[] compile = {"gcc", "-O2", "-c", "g.c", "-o", "g.o"};
        byte[] older;
        try (CacheFixture first = daemon("first", url())) {
            header("1", 40);
            assertEquals(0, first.cache(src, compile).exitCode());
            older = Files.readAllBytes(src.resolve("g.o"));
            header("22", 20); // another size: the manifest gets a second, newer result
            assertEquals(0, first.cache(src, compile).exitCode());
            assertFalse(java.util.Arrays.equals(older, Files.readAllBytes(src.resolve("g.o"))));
            assertEquals(2, first.stat("cache_miss"));
            first.stopDaemon(); // its background writes are done when it has stopped
        }
        header("1", 40); // as for the first result: the manifest's newest result does not match
        try (CacheFixture second = daemon("second", url())) {
            CacheFixture.Result r = second.cache(src, compile);
            assertEquals(0, r.exitCode(), r.err());
            Map<String, Long> s = second.stats();
            assertEquals(1, s.get("direct_cache_hit"), s.toString());
            assertEquals(1, s.get("remote_storage_hit"), s.toString());
            assertEquals(0, s.get("cache_miss"), s.toString());
            assertEquals(2, s.get("remote_storage_read_hit"), "the manifest and the older entry; the newer one,"
                    + " read ahead of the match and dropped, is not counted: " + s);
            assertArrayEquals(older, Files.readAllBytes(src.resolve("g.o")), "the older result's object");
        }
    }

    /**
     * After a pull: this machine's manifest knows the source with its header at one version,
     * remote storage's (another machine's build) at the version now checked out. The local
     * manifest has no match, so remote storage's is asked: a direct hit with the other
     * machine's object, no preprocessor run, as ccache gets it; then both versions hit locally.
     * Real gcc and nginx.
     */
    @Test
    void aLocalManifestWithoutAMatchGetsADirectHitFromRemoteStoragesManifest() throws Exception {
        String url = startNginx();
        Files.writeString(src.resolve("g.c"), "#include \"h.h\"\nint g(void) { return V; }\n");
        Files.setLastModifiedTime(src.resolve("g.c"), FileTime.from(Instant.now().minusSeconds(60)));
        String[] compile = {"gcc", "-O2", "-c", "g.c", "-o", "g.o"};
        header("2", 30);
        byte[] pulled;
        try (CacheFixture other = daemon("other", url)) {
            assertEquals(0, other.cache(src, compile).exitCode());
            pulled = Files.readAllBytes(src.resolve("g.o"));
            other.stopDaemon(); // its background writes are done when it has stopped
        }
        try (CacheFixture mine = daemon("mine", url)) {
            header("1", 40);
            mine.env.put("CCACHE_REMOTE_STORAGE", ""); // built here before the pull, alone
            assertEquals(0, mine.cache(src, compile).exitCode());
            byte[] before = Files.readAllBytes(src.resolve("g.o"));
            mine.env.put("CCACHE_REMOTE_STORAGE", url);
            header("2", 30); // the pull
            CacheFixture.Result r = mine.cache(src, compile);
            assertEquals(0, r.exitCode(), r.err());
            Map<String, Long> s = mine.stats();
            assertEquals(1, s.get("direct_cache_hit"), s.toString());
            assertEquals(1, s.get("remote_storage_hit"), s.toString());
            assertEquals(0, s.getOrDefault("preprocessed_cache_hit", 0L), "no preprocessor run: " + s);
            assertEquals(1, s.get("cache_miss"), "only the build before the pull: " + s);
            assertArrayEquals(pulled, Files.readAllBytes(src.resolve("g.o")), "the other machine's object");
            mine.stopDaemon(); // the back-fills are written

            mine.env.put("CCACHE_REMOTE_STORAGE", "");
            assertEquals(0, mine.cache(src, compile).exitCode());
            assertArrayEquals(pulled, Files.readAllBytes(src.resolve("g.o")));
            header("1", 40);
            assertEquals(0, mine.cache(src, compile).exitCode());
            assertArrayEquals(before, Files.readAllBytes(src.resolve("g.o")));
            assertEquals(3, mine.stats().get("direct_cache_hit"), "both versions from the merged local manifest");
        }
    }
}
