package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21's second acceptance line: remote storage servers that fail during a build through
 * the daemon ({@code make -j2}, the compiler reached through the masquerade links). Every build
 * succeeds with objects identical to plain gcc's, compiled by the daemon (no fallback), and the
 * counters show what went wrong:
 *
 * <ul>
 *   <li>nginx answering every request with a 500: its GETs are misses (as in ccache), its PUTs
 *       {@code remote_storage_error}, and then the server is left alone;
 *   <li>nginx hanging (proxying to a listener that accepts and never answers, the proxy's own
 *       timeouts an hour): a call waits for the operation timeout once, counted {@code
 *       remote_storage_timeout}, then the server is left alone: the timeouts are as few as the
 *       calls that were waiting at the same time, not one per call;
 *   <li>Redis killed mid-build and restarted: errors counted while it is down, and once the
 *       back-off ({@code CACHE_REMOTE_BACKOFF_MS}, one second here) is over, the restarted
 *       server is used again: it gets the results compiled after it came back.
 * </ul>
 */
@Timeout(300)
class RemoteStorageFailuresIT {

    private static final int FILES = 12;
    /** Calls that can be waiting at once: make's two jobs and the two background writers. */
    private static final long CONCURRENT = 4;

    @TempDir
    Path tmp;

    private Path src;
    private final List<Process> servers = new ArrayList<>();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket blackHole;

    @BeforeEach
    void setUp() throws IOException {
        src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(src.resolve("f" + i + ".c"), "#include <stdio.h>\n#include <string.h>\n"
                    + "int f" + i + "(const char *s) { return printf(\"%zu\\n\", strlen(s) * " + i + "); }\n");
        }
        Files.writeString(src.resolve("Makefile"), "all: " + objects(0, FILES) + "\n%.o: %.c\n\tgcc -O2 -c $< -o $@\n");
        try (var files = Files.list(src)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            }
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : servers) {
            RemoteServers.stop(p);
        }
        if (blackHole != null) {
            blackHole.close();
        }
        for (Socket s : held) {
            s.close();
        }
    }

    private static String objects(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "f" + i + ".o").collect(Collectors.joining(" "));
    }

    /** A daemon with an empty cache directory using {@code remoteStorage}. */
    private CacheFixture daemon(String name, String remoteStorage) throws IOException, InterruptedException {
        CacheFixture f = new CacheFixture(Files.createDirectories(tmp.resolve(name)));
        f.env.put("CCACHE_REMOTE_STORAGE", remoteStorage);
        f.env.keySet().removeIf(k -> k.equals("MAKEFLAGS") || k.equals("MFLAGS") || k.equals("MAKELEVEL"));
        f.env.put("PATH", f.masqueradePath(tmp.resolve(name + "-links")));
        return f;
    }

    /** {@code make -j2} of f{from}..f{to-1}.o through {@code f}'s links; it must succeed. */
    private static void make(CacheFixture f, Path src, int from, int to) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("make", "-j2"));
        cmd.addAll(List.of(objects(from, to).split(" ")));
        CacheFixture.Result r = f.run(src, cmd);
        assertEquals(0, r.exitCode(), r.out() + r.err());
    }

    /** Each object of {@code src} byte for byte as plain gcc makes it. */
    private void assertLikePlainGcc() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        for (int i = 0; i < FILES; i++) {
            List<String> cmd = List.of("gcc", "-O2", "-c", src.resolve("f" + i + ".c").toString(), "-o",
                    plain.resolve("f" + i + ".o").toString());
            Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "LC_ALL", "C");
            assertEquals(0, CacheFixture.run(src, cmd, env).exitCode());
            assertArrayEquals(Files.readAllBytes(plain.resolve("f" + i + ".o")),
                    Files.readAllBytes(src.resolve("f" + i + ".o")), "f" + i + ".o");
        }
    }

    /** The build went on as if there were no remote storage: every object compiled by the daemon. */
    private static void assertCompiledByTheDaemon(Map<String, Long> s) {
        assertEquals(FILES, s.get("cache_miss"), s.toString());
        assertEquals(0, s.get("fallback_local"), "the daemon compiled every call itself: " + s);
        // each miss writes its entry and its manifest, counted as ccache counts them
        assertEquals(2 * FILES, s.get("local_storage_write"), "the local cache still works: " + s);
    }

    /**
     * Every object built by a daemon named {@code name} whose remote storage is the failing
     * {@code remoteStorage}: the build succeeds, objects as plain gcc's, each compiled by the
     * daemon (the local cache still works). Returns its counters.
     */
    private Map<String, Long> buildDespiteIt(String name, String remoteStorage) throws Exception {
        try (CacheFixture f = daemon(name, remoteStorage)) {
            make(f, src, 0, FILES);
            f.stopDaemon();
            assertLikePlainGcc();
            Map<String, Long> s = f.stats();
            assertCompiledByTheDaemon(s);
            return s;
        }
    }

    private String nginx(String location, String http) throws Exception {
        RemoteServers.requireNginx();
        int port = RemoteServers.freePort();
        servers.add(RemoteServers.startNginx(tmp.resolve("nginx"), port, location, http));
        return "http://127.0.0.1:" + port + "/cache";
    }

    @Test
    void nginxAnsweringErrorsCostsCountedErrorsAndNeverABuild() throws Exception {
        String url = nginx("location / { return 500; }", "");
        Map<String, Long> s = buildDespiteIt("errors", url + "|connect-timeout=500|operation-timeout=5000");
        long errors = s.get("remote_storage_error");
        assertTrue(errors >= 1 && errors <= CONCURRENT, "a failed PUT, then the server left alone: " + s);
        assertEquals(0, s.get("remote_storage_timeout"), s.toString());
        assertEquals(0, s.get("remote_storage_write"), s.toString());
    }

    @Test
    void nginxHangingCostsOneTimeoutNotOnePerCall() throws Exception {
        blackHole = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(blackHole.accept()); // held open, never read, never answered
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
        String url = nginx("location / { proxy_pass http://127.0.0.1:" + blackHole.getLocalPort() + ";"
                + " proxy_connect_timeout 1h; proxy_send_timeout 1h; proxy_read_timeout 1h; }", "");
        Map<String, Long> s = buildDespiteIt("hanging", url + "|connect-timeout=500|operation-timeout=1500");
        long timeouts = s.get("remote_storage_timeout");
        assertTrue(timeouts >= 1, "nginx never answered: " + s);
        assertTrue(timeouts <= CONCURRENT, "waited once per caller at the time, then left alone, not once per call "
                + "(" + FILES + " calls): " + s);
        assertEquals(0, s.get("remote_storage_hit") + s.get("remote_storage_write"), s.toString());
        assertTrue(held.size() >= 1, "nginx proxied the daemon's request to the black hole");
    }

    /**
     * nginx restarted between two parts of a build: the daemon's pooled keep-alive connections
     * are dead under it; each request meeting one is sent again on a new connection, so the
     * restart costs no failure and no back-off, and the second part's results reach the new
     * server.
     */
    @Test
    void nginxRestartedMidBuildCostsNoFailure() throws Exception {
        RemoteServers.requireNginx();
        int port = RemoteServers.freePort();
        Path dir = tmp.resolve("nginx");
        Process nginx = RemoteServers.startNginx(dir, port, RemoteServers.WEBDAV, "");
        servers.add(nginx);
        try (CacheFixture f = daemon("restarted", "http://127.0.0.1:" + port + "/cache|connect-timeout=500")) {
            make(f, src, 0, 4);
            awaitStored(f, dir, 8); // 4 entries and their manifests, written in the background
            RemoteServers.stop(nginx);
            servers.add(RemoteServers.startNginx(dir, port, RemoteServers.WEBDAV, ""));
            make(f, src, 4, 8);
            awaitStored(f, dir, 16);
            f.stopDaemon();
            Map<String, Long> s = f.stats();
            assertEquals(0, s.get("remote_storage_error") + s.get("remote_storage_timeout"),
                    () -> s + "\n" + readQuietly(f.runtimeDir.resolve("cache/d.log")));
            assertEquals(8, s.get("remote_storage_miss"), "every lookup reached a server: " + s);
            assertEquals(16, s.get("remote_storage_write"), s.toString());
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Until nginx's document root holds {@code n} files (written in the background), 30 s at most. */
    private static void awaitStored(CacheFixture f, Path nginx, long n) throws Exception {
        for (int i = 0; ; i++) {
            long stored;
            try (var files = Files.walk(nginx.resolve("data"))) {
                stored = files.filter(Files::isRegularFile).count();
            }
            if (stored >= n) {
                return;
            }
            if (i >= 600) {
                fail("nginx holds " + stored + " files, not " + n + ": " + f.stats() + "\n"
                        + Files.readString(f.runtimeDir.resolve("cache/d.log")));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void redisKilledMidBuildCountsErrorsAndIsUsedAgainOnceRestarted() throws Exception {
        RemoteServers.requireRedis();
        int port = RemoteServers.freePort();
        Path dir = tmp.resolve("redis");
        Process redis = RemoteServers.startRedis(dir, port);
        servers.add(redis);
        try (CacheFixture f = daemon("killed", "redis://127.0.0.1:" + port + "|connect-timeout=500")) {
            f.env.put("CACHE_REMOTE_BACKOFF_MS", "1000");
            make(f, src, 0, 4);
            while (RemoteServers.redisKeys(port, 0) < 8) {
                Thread.sleep(50); // 4 entries and their manifests, written in the background
            }

            redis.destroyForcibly();
            redis.waitFor();
            make(f, src, 4, 8);
            Map<String, Long> down = f.stats();
            assertTrue(down.get("remote_storage_error") + down.get("remote_storage_timeout") >= 1, down.toString());

            servers.add(RemoteServers.startRedis(dir, port)); // empty: no snapshots
            // The back-off ends a second after the last failure, and Lettuce reconnects by itself
            // (after delays of its own): compile new sources, one at a time, until a result
            // reaches the new server (written in the background, so looked for a moment later).
            int probes = 0;
            while (RemoteServers.redisKeys(port, 0) == 0) {
                assertTrue(probes < 120, "the restarted Redis was never used again: " + f.stats());
                Path probe = src.resolve("g" + probes + ".c");
                Files.writeString(probe, "int g" + probes + "(void) { return " + probes + "; }\n");
                Files.setLastModifiedTime(probe, FileTime.from(Instant.now().minusSeconds(600)));
                CacheFixture.Result r = f.run(src, List.of("make", "g" + probes + ".o"));
                assertEquals(0, r.exitCode(), r.out() + r.err());
                probes++;
                Thread.sleep(500);
            }
            make(f, src, 8, FILES);
            f.stopDaemon();
            assertLikePlainGcc();
            Map<String, Long> s = f.stats();
            assertEquals(FILES + probes, s.get("cache_miss"), s.toString());
            assertEquals(0, s.get("fallback_local"), "the daemon compiled every call itself: " + s);
            long keys = RemoteServers.redisKeys(port, 0);
            assertTrue(keys >= 2L * (FILES - 8) + 1, keys + " keys: the restarted Redis got the last objects' entries"
                    + " and manifests, and at least one key of a probe's");
        }
    }
}
