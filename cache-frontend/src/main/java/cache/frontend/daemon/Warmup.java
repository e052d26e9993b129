package cache.frontend.daemon;

import cache.distributor.FarmWarmup;
import cache.frontend.dispatch.FarmBuilder;
import cache.frontend.pipeline.CompilePipeline;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Compiles the daemon's request path before the first user needs it. A fresh JVM interprets and
 * profiles that path for its first few hundred calls (a small-C hit costs 2.5 ms of daemon time
 * at first, 0.6 ms once compiled), which is a whole small build. So at start a background
 * thread plays a client: over the daemon's own socket, with the native client's frames, it sends
 * one real compile of a small source with a few system headers (from the top of its tree and from
 * the source's directory, with gcc and g++), then the same calls again and
 * again — direct-mode hits through the event loop, the request decoding, the per-call
 * configuration, the pipeline and the reply, as a user's calls go — until enough calls have run.
 *
 * <p>It runs in two phases. For the first {@link #EAGER_NANOS} it sends its calls back to back,
 * whatever else the daemon does (a build that started the daemon profits from every method
 * compiled early). After that it only uses time the user's calls leave: before each call it
 * waits until no user request is in flight and none arrived for {@link #QUIET_NANOS}, so a
 * daemon started by a long build of misses, or one that sits idle between edits, finishes its
 * warm-up in the gaps and serves the next build compiled. It gives up after {@link
 * #LIMIT_NANOS} (a machine never quiet for that long gets no more of it).
 *
 * <p>When the environment that started the daemon sends misses to a farm ({@code
 * CCACHE_PREFIX=distcc} or {@code prefix_command}), the farm's client side is run first, against
 * in-process nodes ({@link FarmWarmup}: no socket, no node, nothing written), so that the first
 * node hits do not run interpreted either.
 *
 * <p>When that environment (or the configuration it selects) names {@code remote_storage}, its
 * servers are opened before anything else, with {@link #REMOTE_CONNECTIONS} pooled connections
 * made ahead ({@link CompilePipeline.Shared#warmRemoteStorage}: one read of a name no one stores
 * per connection, nothing counted), so that a build's first calls find the client library loaded
 * and connected; and a third of the calls then go through remote storage ({@code remote_only},
 * against a {@code file:} storage of the warm-up's own): the remote hit's path (the manifest's
 * read and decode, the entry beside it, the replay) is compiled before a CI runner's first build
 * from a shared cache needs it.
 *
 * <p>These requests say {@code warmup} instead of {@code compile}, and
 * the daemon serves them from a private pipeline (its own in-memory store and counters) in a
 * private temporary directory with no configuration file: nothing reaches the user's cache or
 * statistics.
 */
final class Warmup implements Runnable {

    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());

    /**
     * Calls after which the request path's methods have been compiled (measured with C2: 1,000–2,000;
     * the client now runs the daemon with C1 only, whose threshold is ~200 calls; the count was
     * kept, the calls only fill gaps; {@code -Dcache.warmupCalls=N} in {@code CACHE_JAVA_OPTS} for experiments).
     */
    static final int DEFAULT_CALLS = Integer.getInteger("cache.warmupCalls", 1_500);
    /** Jobs of the farm's warm-up ({@code -Dcache.farmWarmupJobs=N}; 0 skips it, for measurements). */
    static final int FARM_JOBS = Integer.getInteger("cache.farmWarmupJobs", FarmWarmup.DEFAULT_JOBS);
    /** How long the warm-up sends its calls regardless of the user's. */
    static final long EAGER_NANOS = Long.getLong("cache.warmupEagerMillis", 4_000) * 1_000_000L;
    /** After the eager phase: how long no user request must have arrived before a warm-up call. */
    static final long QUIET_NANOS = 50_000_000L;
    /** After the eager phase: how long to wait for quiet moments before giving up ({@code -Dcache.warmupLimit=SECONDS}). */
    static final long LIMIT_NANOS = Long.getLong("cache.warmupLimit", 120) * 1_000_000_000L;
    private static final long PAUSE_MILLIS = 20;
    /** Connections made ahead to each remote storage server the starter names: one per job of a {@code make -j2}. */
    static final int REMOTE_CONNECTIONS = 2;

    /**
     * A small project's shape: a source beside a hundred other files (its directory changes
     * with every object written, as in most builds), a same-directory header, a header from an
     * {@code -I} directory, and the usual system headers.
     */
    private static final String SOURCE = """
            #include <assert.h>
            #include <ctype.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <float.h>
            #include <limits.h>
            #include <locale.h>
            #include <math.h>
            #include <setjmp.h>
            #include <signal.h>
            #include <stddef.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <time.h>
            #include <unistd.h>
            #include <sys/stat.h>
            #include <sys/types.h>
            #include "warm.h"
            #include "api.h"
            int warm(const char *s) { return (int) strlen(s) + WARM + API + (int) sizeof(FILE *); }
            """;
    private static final int FILLER_FILES = 100;

    private final Daemon daemon;
    private final Path client;
    private final int umask;
    private final int calls;
    private final long eagerNanos;
    private final long limitNanos;
    private int hits;
    private int remoteHits;
    private volatile int sent;
    /** The environment of the client that started the daemon (the tests give their own). */
    private Map<String, String> starterEnv = System.getenv();
    private volatile FarmWarmup.Report farmReport;
    /** The starter's {@code remote_storage}, "" when none (or its configuration does not load). */
    private String remoteStorage = "";
    private volatile int remoteServersWarmed = -1;

    /**
     * @param eagerNanos how long calls go back to back from the first one on
     * @param limitNanos how long after that calls wait for the user's to pause; 0 ends the warm-up
     *     with the eager phase
     */
    Warmup(Daemon daemon, Path client, int umask, int calls, long eagerNanos, long limitNanos) {
        this.daemon = daemon;
        this.client = client;
        this.umask = umask;
        this.calls = calls;
        this.eagerNanos = eagerNanos;
        this.limitNanos = limitNanos;
    }

    /** Starts the warm-up on a daemon thread of low priority. */
    static void startInBackground(Daemon daemon, Path client, int umask) {
        Thread t = new Thread(new Warmup(daemon, client, umask, DEFAULT_CALLS, EAGER_NANOS, LIMIT_NANOS), "jit-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** How many of the calls were direct-mode hits, by the private pipeline's own counters (for tests). */
    int hits() {
        return hits;
    }

    /** How many of the calls were remote hits (from its private {@code file:} storage), by its own counters (for tests). */
    int remoteHits() {
        return remoteHits;
    }

    /** The starting client's environment as the warm-up reads it (for tests). */
    Warmup environment(Map<String, String> env) {
        this.starterEnv = env;
        return this;
    }

    /** What the farm's warm-up did, or null when it did not run (for tests). */
    FarmWarmup.Report farmReport() {
        return farmReport;
    }

    /** How many remote storage servers answered the warm-up's probes; -1 when none was named (for tests). */
    int remoteServersWarmed() {
        return remoteServersWarmed;
    }

    /** How many calls were sent (for tests). */
    int sent() {
        return sent;
    }

    private static final String DIR_PREFIX = "warmup-";

    @Override
    public void run() {
        Path dir = null;
        String remote = warmRemote(); // first: a build's first calls are on their way
        try {
            // Beside the socket, in the user's private runtime directory (a tmpfs that the
            // session's end clears), named by the daemon's pid: one left by a killed daemon is
            // found and removed by the next one.
            Path runtime = daemon.socket().getParent();
            removeStale(runtime);
            dir = Files.createTempDirectory(runtime, DIR_PREFIX + ProcessHandle.current().pid() + "-");
            run(dir, remote);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "JIT warm-up skipped", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            daemon.endWarmup();
            if (dir != null) {
                if (!remoteStorage.isBlank()) {
                    try { // the remote frames' writes (their first miss) go to this directory
                        daemon.directories().shared().awaitRemoteWrites(2_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                deleteTree(dir);
            }
        }
    }

    private void run(Path dir, String remote) throws IOException, InterruptedException {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        Path compiler = CompilePipeline.realCompiler("gcc", path, dir, client);
        if (compiler == null || eagerNanos + limitNanos <= 0) {
            return;
        }
        Path src = Files.createDirectory(dir.resolve("src"));
        Files.writeString(src.resolve("warm.c"), SOURCE);
        Files.writeString(src.resolve("warm.h"), "#define WARM 1\n");
        for (int i = 0; i < FILLER_FILES; i++) {
            Files.writeString(src.resolve("part" + i + ".c"), "int part" + i + ";\n");
        }
        Files.writeString(Files.createDirectory(dir.resolve("include")).resolve("api.h"),
                "#include <stdarg.h>\n#define API 2\n");
        // Files written this moment are not remembered by direct mode (they might still change).
        Thread.sleep(250);
        InMemoryCounterStore counters = new InMemoryCounterStore();
        // The daemon's shared part: what the warm-up learns of the system headers and the
        // compilers (hashes, search paths, compiler checks) is there for the first real calls.
        daemon.beginWarmup(new CompilePipeline(new InMemoryEntryStore(EntryCodec.defaults()), new InMemoryBlobStore(),
                counters, daemon.directories().shared(), Clock.systemUTC(), umask));
        // The environment of the client that started the daemon, as a user's calls bring it,
        // without its ccache settings (a prefix command, a disabled cache …).
        Map<String, String> env = new LinkedHashMap<>();
        System.getenv().forEach((k, v) -> {
            if (!k.startsWith("CCACHE_")) {
                env.put(k, v);
            }
        });
        env.put("PATH", path);
        env.put("HOME", dir.toString());
        env.put("CCACHE_DIR", dir.resolve("cache").toString());
        env.put("CCACHE_CONFIGPATH", dir.resolve("no-config").toString());
        // Two shapes of call, as builds make them: from the top of the tree (a source in a
        // subdirectory, an -I below the working directory) and, as make -C and most Makefiles
        // do, from the source's own directory (the source's directory is the working directory,
        // an -I with ".."). Each shape's branches get compiled, not just the first one's.
        List<String> fromTop = List.of("-O2", "-g", "-Wall", "-Iinclude", "-DWARMING=1", "-c", "src/warm.c", "-o");
        List<String> fromSrc = List.of("-O2", "-g", "-Wall", "-I../include", "-DWARMING=1", "-c", "warm.c", "-o");
        List<ByteBuffer> frames = new ArrayList<>();
        frames.add(frame(dir, env, "gcc", compiler, fromTop, "src/warm.o"));
        frames.add(frame(src, env, "gcc", compiler, fromSrc, "warm-here.o"));
        Path cxx = CompilePipeline.realCompiler("g++", path, dir, client);
        if (cxx != null) { // C++ calls search more directories: alternate with them
            frames.add(frame(dir, env, "g++", cxx, fromTop, "src/warm-c++.o"));
            frames.add(frame(src, env, "g++", cxx, fromSrc, "warm-here-c++.o"));
        }
        if (!remoteStorage.isBlank()) { // every third call a remote hit (after its first, a miss)
            Map<String, String> remoteEnv = new LinkedHashMap<>(env);
            remoteEnv.put("CCACHE_REMOTE_STORAGE", dir.resolve("remote").toUri().toString()); // file:///…, escaped
            remoteEnv.put("CCACHE_REMOTE_ONLY", "true");
            List<ByteBuffer> local = List.copyOf(frames);
            frames.clear();
            ByteBuffer[] remoteFrames = {frame(dir, remoteEnv, "gcc", compiler, fromTop, "src/warm-remote.o"),
                    frame(src, remoteEnv, "gcc", compiler, fromSrc, "warm-here-remote.o")};
            for (int i = 0; i < local.size(); i++) {
                frames.add(local.get(i));
                if (i % 2 == 1) {
                    frames.add(remoteFrames[(i / 2) % remoteFrames.length]);
                }
            }
        }
        String farm = warmFarm();
        ByteBuffer reply = ByteBuffer.allocate(1 << 16);
        long started = System.nanoTime();
        long eagerEnd = started + eagerNanos;
        long deadline = eagerEnd + limitNanos;
        int eager = -1;
        while (sent < calls) {
            long now = System.nanoTime();
            if (now - eagerEnd >= 0) {
                if (eager < 0) {
                    eager = sent;
                }
                if (now - deadline >= 0) {
                    break;
                }
                if (daemon.userBusy(QUIET_NANOS)) {
                    Thread.sleep(PAUSE_MILLIS);
                    continue;
                }
            }
            int exit = exchange(frames.get(sent++ % frames.size()).rewind(), reply.clear());
            if (exit != 0) {
                LOG.fine(() -> "JIT warm-up stopped: reply " + exit);
                return;
            }
        }
        Map<String, Long> counted = counters.snapshot(); // as the private pipeline counted them
        hits = counted.getOrDefault("direct_cache_hit", 0L).intValue();
        remoteHits = counted.getOrDefault("remote_storage_hit", 0L).intValue();
        long millis = (System.nanoTime() - started) / 1_000_000;
        int first = eager < 0 ? sent : eager;
        LOG.info("JIT warm-up: " + hits + " hits of " + sent + " calls in " + millis + " ms (" + first
                + " in the first " + eagerNanos / 1_000_000 + " ms, the rest when no build was calling)" + farm + remote);
    }

    /**
     * When the environment that started the daemon names remote storage: its servers opened and
     * connections made ahead, on this thread ({@link CompilePipeline.Shared#warmRemoteStorage}).
     * What it did, for the log line, or "".
     */
    private String warmRemote() {
        try {
            var config = daemon.configs().load(starterEnv, daemon.systemConfig(), Path.of("/"));
            remoteStorage = config.disable() ? "" : config.remoteStorage();
            if (remoteStorage.isBlank()) {
                return "";
            }
            long t0 = System.nanoTime();
            remoteServersWarmed = daemon.directories().shared().warmRemoteStorage(remoteStorage, REMOTE_CONNECTIONS);
            return "; remote storage: " + remoteServersWarmed + " server(s) answered its probes in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms before";
        } catch (Exception e) { // a warm-up that cannot run is no error
            LOG.log(Level.FINE, "the remote storage's warm-up failed", e);
            remoteStorage = "";
            return "";
        }
    }

    /**
     * When the environment that started the daemon sends misses to a farm: its client side run
     * through {@link FarmWarmup} (in-process nodes, no socket, nothing written), so that the
     * first real node hits are not interpreted. What it did, for the log line, or "".
     */
    private String warmFarm() {
        try {
            Map<String, String> env = starterEnv;
            if (FARM_JOBS <= 0 || !FarmBuilder.enabled(daemon.configs().load(env, daemon.systemConfig(), Path.of("/")), env)) {
                return "";
            }
            FarmWarmup.Report r = FarmWarmup.run(FARM_JOBS);
            farmReport = r;
            return "; the farm's client side: " + r.jobs() + " jobs (" + r.nodeHits() + " node hits) in " + r.millis()
                    + " ms before";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (Exception e) { // a warm-up that cannot run is no error
            LOG.log(Level.FINE, "the farm's warm-up failed", e);
            return "; the farm's warm-up failed: " + e;
        }
    }

    private ByteBuffer frame(Path dir, Map<String, String> env, String name, Path compiler, List<String> args,
            String output) {
        List<String> all = new ArrayList<>(args);
        all.add(output);
        return ByteBuffer.wrap(new ClientRequest(daemon.buildVersion(), ClientRequest.WARMUP, name, compiler.toString(),
                all, dir.toString(), env, umask, "000", ProcessHandle.current().pid(), 0).encode());
    }

    /** One request over the daemon's socket; the exit code replayed, or -1 for any other answer. */
    private int exchange(ByteBuffer frame, ByteBuffer reply) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
            while (frame.hasRemaining()) {
                ch.write(frame);
            }
            while (ch.read(reply) >= 0) {
                if (!reply.hasRemaining()) {
                    return -1; // not the small replay expected
                }
            }
        }
        reply.flip();
        int exit = -1;
        while (reply.remaining() >= 5) {
            byte tag = reply.get();
            int len = reply.getInt();
            if (len < 0 || len > reply.remaining()) {
                return -1;
            }
            if (tag == ReplyEncoder.EXIT && len == 4) {
                exit = reply.getInt(reply.position());
            } else if (tag != ReplyEncoder.STDOUT && tag != ReplyEncoder.STDERR) {
                return -1;
            }
            reply.position(reply.position() + len);
        }
        return exit;
    }

    /** Deletes the directories of warm-ups whose daemon is gone (killed before it could). */
    static void removeStale(Path runtime) {
        try (Stream<Path> s = Files.list(runtime)) {
            s.filter(p -> p.getFileName().toString().startsWith(DIR_PREFIX)).forEach(p -> {
                String[] parts = p.getFileName().toString().split("-");
                long pid;
                try {
                    pid = parts.length >= 2 ? Long.parseLong(parts[1]) : -1;
                } catch (NumberFormatException e) {
                    pid = -1;
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()
                        && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    LOG.info("removing " + p + ", left by a daemon that stopped during its warm-up");
                    deleteTree(p);
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a temp dir
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
