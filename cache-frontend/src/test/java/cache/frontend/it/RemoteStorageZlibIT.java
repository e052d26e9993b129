package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 21's first acceptance line with a real project: Debian's zlib (its own configure, then
 * {@code make -j2}: the static and the shared library's objects, the test programs linked)
 * built through the daemons' masquerade links, sharing one real redis-server or one nginx with
 * WebDAV (each layout), both started here on free loopback ports.
 *
 * <p>For each backend, a first daemon with an empty cache directory builds zlib (every object a
 * miss, written to remote storage); a second daemon, with another empty cache directory and
 * runtime directory, builds it again: every object is a remote direct-mode hit (the manifests
 * come from remote storage too), nothing compiled, every object byte-identical to the plain
 * build's. {@code remote_only} keeps nothing in the cache directory (no entry, no manifest:
 * {@code files_in_cache} 0) and still gets direct-mode hits through remote manifests; {@code
 * read-only} storage gets nothing written (Redis's {@code DBSIZE} 0, nginx's directory empty).
 *
 * <p>One plain build serves as reference for every case ({@code PER_CLASS}); every build runs in
 * the same directory, a fresh copy of one configured tree (objects built with {@code -g} embed
 * it, and manifests name headers by path).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RemoteStorageZlibIT {

    private static final long BUILD_MINUTES = 8;

    private Path tmp;
    private Path configured;
    private Path tree;
    private Path links;
    private SortedMap<String, String> plain;
    private int objects;
    private Process redis;
    private int redisPort;
    private Process nginx;
    private int nginxPort;

    @BeforeAll
    void setUp() throws Exception {
        RemoteServers.requireRedis();
        RemoteServers.requireNginx();
        tmp = Files.createTempDirectory("remote-zlib");
        tree = tmp.resolve("zlib");
        configured = configuredZlib(zlibSource());
        plain = build("plain", baseEnv());
        objects = plain.size();
        assertTrue(objects >= 34, "the plain build made " + objects + " objects, expected 34");
        redisPort = RemoteServers.freePort();
        redis = RemoteServers.startRedis(tmp.resolve("redis"), redisPort);
        nginxPort = RemoteServers.freePort();
        nginx = RemoteServers.startNginx(tmp.resolve("nginx"), nginxPort, RemoteServers.WEBDAV, "");
        links = tmp.resolve("links");
        try (CacheFixture any = new CacheFixture(tmp.resolve("links-maker"))) {
            any.masqueradePath(links);
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        RemoteServers.stop(redis);
        RemoteServers.stop(nginx);
        if (tmp != null) {
            CacheFixture.run(Path.of("/"), List.of("rm", "-rf", tmp.toString()), Map.of("PATH", "/usr/bin:/bin"));
        }
    }

    /**
     * Timeouts generous for a loaded CI machine (ccache's default connect timeout, 100 ms, was
     * seen to expire there): a timeout backs the server off for a minute, which is not what
     * these tests are about ({@link RemoteStorageFailuresIT} is).
     */
    private static final String TIMEOUTS = "|connect-timeout=5000|operation-timeout=30000";

    private String nginxUrl(String path) {
        return "http://127.0.0.1:" + nginxPort + "/" + path + TIMEOUTS;
    }

    private String redisUrl(int db) {
        return "redis://127.0.0.1:" + redisPort + "/" + db + TIMEOUTS;
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis", "subdirs", "flat", "bazel"})
    void aSecondDaemonWithAnEmptyCacheBuildsZlibFromRemoteHitsOnly(String backend) throws Exception {
        String storage = backend.equals("redis") ? redisUrl(1) : nginxUrl(backend) + "|layout=" + backend;
        Map<String, Long> first = cachedBuild(backend + "-first", storage);
        assertEquals(objects, first.get("cache_miss"), first.toString());
        assertEquals(0, first.get("remote_storage_error") + first.get("remote_storage_timeout"), first.toString());
        assertEquals(objects, first.get("remote_storage_miss"), first.toString());
        assertEquals(2L * objects, first.get("remote_storage_write"), "each entry and its manifest: " + first);
        if (backend.equals("redis")) {
            assertEquals(2L * objects, RemoteServers.redisKeys(redisPort, 1), "Redis holds each entry and manifest");
        } else {
            assertEquals(2 * objects, RemoteServers.files(tmp.resolve("nginx/data/" + backend)).size(),
                    "nginx holds each entry and manifest");
        }

        Map<String, Long> second = cachedBuild(backend + "-second", storage);
        assertEquals(objects, second.get("remote_storage_hit"), "every object a remote hit: " + second);
        assertEquals(objects, second.get("direct_cache_hit"), "through remote manifests, no preprocessor: " + second);
        assertEquals(0, second.get("cache_miss"), "nothing compiled: " + second);
        assertEquals(0, second.get("remote_storage_error") + second.get("remote_storage_timeout"), second.toString());
        assertEquals(2L * objects, second.get("local_storage_write"),
                "each hit back-filled, its entry and its manifest (both counted, as ccache counts them): " + second);
    }

    @Test
    void remoteOnlyKeepsNothingInTheCacheDirectoryAndStillGetsDirectHits() throws Exception {
        String storage = redisUrl(2);
        Map<String, Long> first = cachedBuild("remote-only-first", storage, "CCACHE_REMOTE_ONLY", "1");
        assertEquals(objects, first.get("cache_miss"), first.toString());
        assertEquals(0, first.get("files_in_cache"), "no entry and no manifest kept locally: " + first);
        assertEquals(0, first.get("local_storage_write"), first.toString());
        assertEquals(2L * objects, RemoteServers.redisKeys(redisPort, 2), "each entry and manifest in Redis");

        Map<String, Long> second = cachedBuild("remote-only-second", storage, "CCACHE_REMOTE_ONLY", "1");
        assertEquals(objects, second.get("remote_storage_hit"), second.toString());
        assertEquals(objects, second.get("direct_cache_hit"), "direct mode through remote manifests: " + second);
        assertEquals(0, second.get("cache_miss"), second.toString());
        assertEquals(0, second.get("files_in_cache"), "nothing back-filled: " + second);
        assertEquals(0, second.get("local_storage_write") + second.get("local_storage_read_hit")
                + second.get("local_storage_read_miss"), "the local store not touched: " + second);
    }

    @Test
    void readOnlyStorageGetsNothingWritten() throws Exception {
        String storage = redisUrl(3) + "|read-only " + nginxUrl("read-only") + "|read-only";
        Map<String, Long> s = cachedBuild("read-only", storage);
        assertEquals(objects, s.get("cache_miss"), s.toString());
        assertEquals(2L * objects, s.get("remote_storage_miss"), "both storages were read: " + s);
        assertEquals(0, s.get("remote_storage_write"), s.toString());
        assertEquals(0, s.get("remote_storage_error") + s.get("remote_storage_timeout"), s.toString());
        assertEquals(0, RemoteServers.redisKeys(redisPort, 3), "nothing written to Redis");
        assertEquals(List.of(), RemoteServers.files(tmp.resolve("nginx/data/read-only")), "nothing written to nginx");
    }

    /**
     * A build by a new daemon with an empty cache directory using {@code remoteStorage}; checks
     * every object against the plain build's and returns the counters once the daemon has
     * stopped (its background writes done).
     */
    private Map<String, Long> cachedBuild(String name, String remoteStorage, String... settings) throws Exception {
        try (CacheFixture f = new CacheFixture(tmp.resolve("daemons/" + name))) {
            Map<String, String> env = baseEnv();
            env.put("CCACHE_DIR", f.cacheDir.toString());
            env.put("XDG_RUNTIME_DIR", f.runtimeDir.toString());
            env.putAll(Map.of("CACHE_IDLE_TIMEOUT", "300", "CACHE_WARMUP", "0"));
            env.put("CCACHE_REMOTE_STORAGE", remoteStorage);
            for (int i = 0; i < settings.length; i += 2) {
                env.put(settings[i], settings[i + 1]);
            }
            env.put("PATH", links + ":" + env.get("PATH"));
            assertSame(name, build(name, env));
            f.stopDaemon();
            Map<String, Long> s = f.stats();
            System.out.printf("zlib %-18s %s%n", name, new TreeMap<>(s));
            return s;
        }
    }

    /** The unpacked zlib source, from fetch-sources.sh (its first line). */
    private Path zlibSource() throws IOException, InterruptedException {
        Path zlib = CacheFixture.fetchedSource(0);
        assertTrue(Files.isRegularFile(zlib.resolve("configure")), zlib + " has no configure");
        return zlib;
    }

    /** A copy of {@code src} configured with plain gcc ({@code -O2 -g}), every file back-dated ten minutes. */
    private Path configuredZlib(Path src) throws IOException, InterruptedException {
        Path dest = tmp.resolve("zlib-configured");
        Path log = tmp.resolve("configure.log");
        Map<String, String> env = baseEnv();
        assertEquals(0, run(List.of("cp", "-a", src.toString(), dest.toString()), tmp, env, log, log, 2), "cp");
        env.put("CC", "gcc");
        env.put("CFLAGS", "-O2 -g");
        assertEquals(0, run(List.of("./configure"), dest, env, log, log, 3),
                () -> "configure: " + RemoteServers.read(log));
        assertEquals(0, run(List.of("find", dest.toString(), "-exec", "touch", "-h", "-d", "10 minutes ago", "{}", "+"),
                tmp, env, log, log, 2), "touch");
        return dest;
    }

    /**
     * The caller's environment without anything that would steer a cache or the build: no
     * CCACHE_* or CACHE_* variable, no make variables, /usr/lib/ccache off PATH.
     */
    private static Map<String, String> baseEnv() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("CCACHE_") || k.startsWith("CACHE_") || k.equals("MAKEFLAGS")
                || k.equals("MFLAGS") || k.equals("MAKELEVEL") || k.equals("DEPENDENCIES_OUTPUT")
                || k.equals("SUNPRO_DEPENDENCIES") || k.equals("CC") || k.equals("CFLAGS"));
        env.put("LC_ALL", "C");
        env.put("PATH", Stream.of(env.getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .filter(d -> !d.isEmpty() && !Path.of(d).equals(RealCcache.MASQUERADE_DIR))
                .collect(Collectors.joining(":")));
        return env;
    }

    /** A fresh copy of the configured tree at {@link #tree}, built; the SHA-256 of every object by relative path. */
    private SortedMap<String, String> build(String name, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = tmp.resolve(name + ".log");
        assertEquals(0, run(List.of("rm", "-rf", tree.toString()), tmp, env, log, log, 2), name + ": rm");
        assertEquals(0, run(List.of("cp", "-a", configured.toString(), tree.toString()), tmp, env, log, log, 2),
                name + ": cp");
        long start = System.nanoTime();
        int rc = run(List.of("make", "-j2"), tree, env, log, log, BUILD_MINUTES);
        if (rc != 0) {
            List<String> lines = Files.readAllLines(log);
            fail(name + ": make exited " + rc + "; last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
        SortedMap<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(tree)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String rel = tree.relativize(f).toString();
                if (Files.isRegularFile(f) && (rel.endsWith(".o") || rel.endsWith(".lo"))) {
                    out.put(rel, sha256(f));
                }
            }
        }
        System.out.printf("zlib %-18s %6d ms, %d objects%n", name, (System.nanoTime() - start) / 1_000_000, out.size());
        return out;
    }

    private void assertSame(String what, SortedMap<String, String> built) {
        List<String> differ = new ArrayList<>();
        for (String f : plain.keySet()) {
            if (!plain.get(f).equals(built.get(f))) {
                differ.add(f + (built.containsKey(f) ? " differs" : " missing"));
            }
        }
        built.keySet().stream().filter(f -> !plain.containsKey(f)).forEach(f -> differ.add(f + " extra"));
        assertEquals(List.of(), differ, what + ": objects not identical to the plain build's");
    }

    private static String sha256(Path f) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs {@code cmd} in {@code dir}, output to {@code out} and {@code err}, at most {@code minutes}; its exit code. */
    private static int run(List<String> cmd, Path dir, Map<String, String> env, Path out, Path err, long minutes)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (out.equals(err)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + minutes + " min: " + cmd);
        }
        return p.exitValue();
    }
}
