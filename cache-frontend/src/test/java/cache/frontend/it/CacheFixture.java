package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private cache (its own cache directory, runtime directory and therefore daemon) driven
 * through the real native client in {@code dist/}. Every process it runs is bounded in time.
 */
final class CacheFixture implements AutoCloseable {

    static final Path DIST = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath().normalize();
    static final Path CLIENT = DIST.resolve("bin/cache");

    /**
     * Process {@code pid} (a daemon or a node, after a call that used zstd) runs RocksDB's, Netty's
     * and zstd-jni's JNI libraries from dist/lib/native, and no library unpacked into /tmp.
     */
    static void assertNativeLibrariesFromDist(long pid) throws IOException {
        String maps = Files.readString(Path.of("/proc/" + pid + "/maps"));
        for (String lib : List.of("librocksdbjni-linux64.so", "libnetty_transport_native_epoll_x86_64.so",
                "libzstd-jni.so")) {
            assertTrue(maps.contains(DIST.resolve("lib/native/" + lib).toRealPath().toString()),
                    lib + " is loaded from dist/lib/native, not unpacked");
        }
        assertEquals(List.of(), maps.lines().filter(l -> l.contains(" /tmp/") && l.contains(".so")).toList(),
                "no library the process runs is unpacked into /tmp");
    }

    private static final long TIMEOUT_SECONDS = 300;

    final Path root;
    final Path cacheDir;
    final Path runtimeDir;
    final Map<String, String> env = new HashMap<>(System.getenv());

    CacheFixture(Path root) throws IOException {
        this.root = root;
        this.cacheDir = Files.createDirectories(root.resolve("cache-dir"));
        this.runtimeDir = Files.createDirectories(root.resolve("run"));
        env.put("CCACHE_DIR", cacheDir.toString());
        env.put("XDG_RUNTIME_DIR", runtimeDir.toString());
        env.put("CACHE_IDLE_TIMEOUT", "300");
        env.put("LC_ALL", "C");
        // Dozens of short-lived daemons: no start-up JIT warm-up each (WarmupIT tests it).
        env.put("CACHE_WARMUP", "0");
        env.remove("CCACHE_PREFIX");
        env.remove("DEPENDENCIES_OUTPUT");
        env.remove("SUNPRO_DEPENDENCIES");
        assertTrue(Files.isExecutable(CLIENT), "build dist/ first (mvn package): " + CLIENT);
    }

    /**
     * A cache of its own under {@code root} with distribution on, as a ccache+distcc user has it:
     * {@code CCACHE_PREFIX=distcc} with {@code hosts} as {@code DISTCC_HOSTS}, and no distributor,
     * disable or recache setting of the caller's environment.
     */
    static CacheFixture distributing(Path root, String hosts) throws IOException {
        CacheFixture cache = new CacheFixture(root);
        cache.env.put("CCACHE_PREFIX", "distcc");
        cache.env.put("DISTCC_HOSTS", hosts);
        // No ~/.distcc of the machine's user: an explicit DISTCC_DIR must exist (distcc's rule).
        cache.env.put("DISTCC_DIR", Files.createDirectories(root.resolve("distcc")).toString());
        cache.env.remove("CACHE_DISTRIBUTOR");
        cache.env.remove("CCACHE_DISABLE");
        cache.env.remove("CCACHE_RECACHE");
        return cache;
    }

    /**
     * A source tree unpacked by {@code benchmarks/scripts/fetch-sources.sh} into the repository's
     * {@code work/corpus} (fetched once, then reused): {@code line} of its output, 0 zlib, 1 lua5.4, 2 git.
     */
    static Path fetchedSource(int line) throws IOException, InterruptedException {
        Path repo = DIST.getParent();
        Result r = run(repo, List.of(repo.resolve("benchmarks/scripts/fetch-sources.sh").toString(),
                repo.resolve("work/corpus").toString()), System.getenv());
        List<String> dirs = r.out().lines().toList();
        assertTrue(r.exitCode() == 0 && dirs.size() == 3, "fetch-sources.sh failed:\n" + r.err());
        return Path.of(dirs.get(line));
    }

    /** Longer than one tick of the clock that stamps files, at any HZ >= 100. */
    static final long CLOCK_TICK_MILLIS = 11;

    /**
     * Makes every regular file under {@code paths} old enough for direct mode: its mtime an
     * hour back, and a pause so that its ctime (set to now by that very change, and not
     * settable) lies in an earlier tick of the kernel's coarse clock than the next call's start.
     * Without the pause a fast machine starts the call in the same tick, and a daemon that cannot
     * read the coarse clock itself (a JDK before 22) rightly finds the file "too new" to remember
     * (CI caught it once in DependencyTargetIT).
     */
    static void backdate(Path... paths) throws IOException, InterruptedException {
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minusSeconds(3600));
        for (Path path : paths) {
            try (Stream<Path> files = Files.walk(path)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    Files.setLastModifiedTime(p, old);
                }
            }
        }
        Thread.sleep(100); // several ticks of any HZ (10 ms at HZ=100)
    }

    /** What a process did. */
    record Result(int exitCode, byte[] stdout, byte[] stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    Result run(Path cwd, List<String> command) throws IOException, InterruptedException {
        return run(cwd, command, env);
    }

    static Result run(Path cwd, List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        // A file written in the same tick of the kernel's coarse clock as a call starts is too
        // new for direct mode to remember, rightly. A build tool does not compile within a tick
        // of writing its sources; a test that writes a file and runs a call at once did, on a
        // machine with a fast process start: 111 of 200 spawns from this JVM landed in the
        // write's 4 ms tick (kernel 6.18), and direct-hit assertions failed about half the time.
        // So every call starts at least one tick of any HZ >= 100 after what came before it.
        Thread.sleep(CLOCK_TICK_MILLIS);
        Path out = Files.createTempFile("it-out", null);
        Path err = Files.createTempFile("it-err", null);
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(environment);
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command);
            }
            return new Result(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs a short helper command, ignoring its result. */
    static void runQuietly(List<String> command) {
        runQuietly(command, Map.of());
    }

    /** Runs a short helper command with extra environment variables, ignoring its result. */
    static void runQuietly(List<String> command, Map<String, String> extraEnv) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(extraEnv);
            pb.start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code cache ARGS…} in {@code cwd}. */
    Result cache(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(CLIENT.toString());
        cmd.addAll(Arrays.asList(args));
        return run(cwd, cmd);
    }

    /** The counters as {@code --print-stats} prints them. */
    Map<String, Long> stats() throws IOException, InterruptedException {
        Result r = cache(root, "--print-stats");
        assertTrue(r.exitCode() == 0, "--print-stats failed: " + r.err());
        return parseStats(r.out());
    }

    /** {@code --print-stats} output as counter name → value. */
    static Map<String, Long> parseStats(String printStats) {
        Map<String, Long> m = new HashMap<>();
        for (String line : printStats.split("\n")) {
            String[] kv = line.split("\t");
            if (kv.length == 2) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    long stat(String name) throws IOException, InterruptedException {
        return stats().getOrDefault(name, 0L);
    }

    /** Hits of either kind (direct mode or preprocessor mode). */
    long hits() throws IOException, InterruptedException {
        Map<String, Long> s = stats();
        return s.getOrDefault("direct_cache_hit", 0L) + s.getOrDefault("preprocessed_cache_hit", 0L);
    }

    /** The running daemon's pid, from its pid file. */
    long daemonPid() throws IOException {
        Path pid = pidFile().orElseThrow(() -> new AssertionError("no daemon pid file"));
        return Long.parseLong(Files.readString(pid).trim());
    }

    /** Stops the daemon, if one runs, and waits until its process (and RocksDB) is gone. */
    void stopDaemon() throws IOException, InterruptedException {
        java.util.Optional<ProcessHandle> daemon = pidFile().map(p -> {
            try {
                return Long.parseLong(Files.readString(p).trim());
            } catch (IOException | NumberFormatException e) {
                return -1L;
            }
        }).flatMap(ProcessHandle::of);
        cache(root, "--stop-daemon");
        if (daemon.isPresent()) {
            try {
                daemon.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                daemon.get().destroyForcibly();
                throw new AssertionError("daemon did not stop within 30 s", e);
            }
        }
    }

    private java.util.Optional<Path> pidFile() throws IOException {
        Path dir = runtimeDir.resolve("cache");
        if (!Files.isDirectory(dir)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pid")).findFirst();
        }
    }

    /** Makes {@code --install-links} links in {@code dir} and returns a PATH with it first. */
    String masqueradePath(Path dir) throws IOException, InterruptedException {
        Result r = cache(root, "--install-links", dir.toString());
        assertTrue(r.exitCode() == 0, r.err());
        return dir + ":" + env.get("PATH");
    }

    @Override
    public void close() throws IOException {
        try {
            stopDaemon();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
