package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.ConfigException;
import cache.compat.config.RemoteStorageUrl;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every backend against a real server started here: Debian's redis-server and nginx (WebDAV). */
@Timeout(120)
class RemoteStorageIT {

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong();

    /** The storage of {@code entry} over real servers, on a clock the test moves. */
    RemoteStorage storage(String entry) throws ConfigException {
        RemoteStorageUrl url = RemoteStorageUrl.parse(entry);
        return new RemoteStorage(url, EntryCodec.defaults(), u -> RemoteStorage.backend(url, u), now::get,
                Duration.ofSeconds(60));
    }

    static CacheEntry entry(String object) {
        return new CacheEntry(0, new byte[0], new byte[0], java.util.Map.of(OutputKind.OBJECT,
                object.getBytes(StandardCharsets.UTF_8)));
    }

    static final Digest KEY = new Digest(0x0123456789abcdefL, 0x0fedcba987654321L);

    static byte[] object(RemoteStorage.Read r) {
        return r.entry().outputs().get(OutputKind.OBJECT);
    }

    @Test
    void redisOverTcpHonoursPasswordAndDatabaseNumber() throws Exception {
        try (RealServers.Server redis = RealServers.redis(dir.resolve("redis"), 0, "s3cret");
                RemoteStorage db3 = storage("redis://s3cret@127.0.0.1:" + redis.port + "/3");
                RemoteStorage db0 = storage("redis://s3cret@127.0.0.1:" + redis.port);
                RemoteStorage wrong = storage("redis://nope@127.0.0.1:" + redis.port + "/3")) {
            assertEquals(RemoteStorage.Status.MISS, db3.get(KEY).status());
            assertEquals(RemoteStorage.Status.WRITTEN, db3.put(KEY, entry("OBJ"), false));
            RemoteStorage.Read r = db3.get(KEY);
            assertEquals(RemoteStorage.Status.HIT, r.status());
            assertArrayEquals("OBJ".getBytes(StandardCharsets.UTF_8), object(r));
            assertEquals(RemoteStorage.Status.MISS, db0.get(KEY).status(), "another database");
            assertEquals(RemoteStorage.Status.ERROR, wrong.get(KEY).status(), "a wrong password is an error");
            assertEquals(RemoteStorage.Status.SKIPPED, wrong.get(KEY).status(), "then backed off");
        }
    }

    @Test
    void redisOverAUnixSocket() throws Exception {
        try (RealServers.Server redis = RealServers.redis(dir.resolve("r"), 0, "pw");
                RemoteStorage tcp = storage("redis://pw@127.0.0.1:" + redis.port + "/2");
                RemoteStorage unix = storage("redis+unix://pw@localhost" + redis.dir.resolve("redis.sock") + "?db=2")) {
            assertEquals(RemoteStorage.Status.WRITTEN, unix.put(KEY, entry("UNIX"), false));
            assertArrayEquals("UNIX".getBytes(StandardCharsets.UTF_8), object(tcp.get(KEY)), "the same server and DB");
        }
        try (RealServers.Server open = RealServers.redis(dir.resolve("open"), 0, null);
                RemoteStorage unix = storage("redis+unix:" + open.dir.resolve("redis.sock"))) {
            assertEquals(RemoteStorage.Status.WRITTEN, unix.put(KEY, entry("U"), false));
            assertEquals(RemoteStorage.Status.HIT, unix.get(KEY).status());
        }
    }

    @Test
    void redisKilledCostsOneFailureThenComesBackAfterTheBackoff() throws Exception {
        RealServers.Server redis = RealServers.redis(dir.resolve("k"), 0, null);
        int port = redis.port;
        try (RemoteStorage s = storage("redis://127.0.0.1:" + port + "|connect-timeout=200|operation-timeout=2000")) {
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("A"), false));
            redis.kill();
            RemoteStorage.Status failed = s.get(KEY).status();
            assertTrue(failed == RemoteStorage.Status.ERROR || failed == RemoteStorage.Status.TIMEOUT, failed.toString());
            assertEquals(RemoteStorage.Status.SKIPPED, s.put(KEY, entry("B"), false), "backed off");
            redis = RealServers.redis(dir.resolve("k2"), port, null);
            RemoteStorage.Status after;
            do { // each try after a backoff
                now.addAndGet(Duration.ofSeconds(61).toNanos());
                after = s.get(KEY).status();
            } while (after != RemoteStorage.Status.MISS && sleep());
            assertEquals(RemoteStorage.Status.MISS, after, "a new, empty server");
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("C"), false));
        } finally {
            redis.close();
        }
    }

    @Test
    void aRestartedRedisIsNotTakenForAFailingOne() throws Exception {
        RealServers.Server redis = RealServers.redis(dir.resolve("r1"), 0, null);
        int port = redis.port;
        try (RemoteStorage s = storage("redis://127.0.0.1:" + port)) {
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("A"), false)); // a pooled connection now
            redis.close();
            redis = RealServers.redis(dir.resolve("r2"), port, null);
            // the pooled connection is dead; the GET is retried on a new one, not counted as an error
            assertEquals(RemoteStorage.Status.MISS, s.get(KEY).status(), "a new, empty server");
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("B"), false), "not backed off");
            assertArrayEquals("B".getBytes(StandardCharsets.UTF_8), object(s.get(KEY)));
        } finally {
            redis.close();
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    @ParameterizedTest
    @CsvSource({
        "subdirs, cache/01/23456789abcdef0fedcba987654321",
        "flat,    cache/0123456789abcdef0fedcba987654321",
        "bazel,   cache/ac/0123456789abcdef0fedcba9876543210123456789abcdef0fedcba987654321",
    })
    void nginxWebDavInEachLayout(String layout, String path) throws Exception {
        try (RealServers.Server nginx = RealServers.nginx(dir.resolve("nginx"));
                RemoteStorage s = storage("http://127.0.0.1:" + nginx.port + "/cache|layout=" + layout)) {
            assertEquals(RemoteStorage.Status.MISS, s.get(KEY).status());
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("HTTP"), false));
            assertTrue(Files.isRegularFile(nginx.dir.resolve("data").resolve(path)), "stored at " + path);
            assertArrayEquals("HTTP".getBytes(StandardCharsets.UTF_8), object(s.get(KEY)));
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(KEY, entry("OTHER"), true), "HEAD found it: not rewritten");
            assertArrayEquals("HTTP".getBytes(StandardCharsets.UTF_8), object(s.get(KEY)));
        }
    }

    @Test
    void nginxAnswering500IsAMissToReadAndAnErrorToWrite() throws Exception {
        try (RealServers.Server nginx = RealServers.nginx(dir.resolve("nginx"));
                RemoteStorage s = storage("http://127.0.0.1:" + nginx.port + "/fail/")) {
            assertEquals(RemoteStorage.Status.MISS, s.get(KEY).status(), "as ccache: any non-2xx GET is a miss");
            assertEquals(RemoteStorage.Status.ERROR, s.put(KEY, entry("x"), false));
            assertEquals(RemoteStorage.Status.SKIPPED, s.get(KEY).status());
        }
    }

    @Test
    void aHungServerCostsItsTimeoutOnceThenIsBackedOff() throws Exception {
        try (RealServers.Silent hung = new RealServers.Silent();
                RemoteStorage http = storage("http://127.0.0.1:" + hung.port() + "/|operation-timeout=300");
                RemoteStorage redis = storage("redis://127.0.0.1:" + hung.port() + "|operation-timeout=300")) {
            assertEquals(RemoteStorage.Status.TIMEOUT, http.get(KEY).status());
            assertEquals(RemoteStorage.Status.SKIPPED, http.get(KEY).status());
            assertEquals(RemoteStorage.Status.TIMEOUT, redis.get(KEY).status());
            assertEquals(RemoteStorage.Status.SKIPPED, redis.put(KEY, entry("x"), false));
        }
    }

    @Test
    void aServerThatIsNotThereIsAnError() throws Exception {
        int port = RealServers.freePort();
        try (RemoteStorage http = storage("http://127.0.0.1:" + port + "/");
                RemoteStorage redis = storage("redis://127.0.0.1:" + port)) {
            assertEquals(RemoteStorage.Status.ERROR, http.get(KEY).status());
            assertEquals(RemoteStorage.Status.ERROR, redis.get(KEY).status());
        }
    }
}
