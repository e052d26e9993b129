package cache.frontend.daemon;

import cache.compat.config.Config;
import cache.compat.config.ConfigException;
import cache.compat.config.ConfigLoader;
import cache.frontend.exec.ProcessRunner;
import cache.frontend.pipeline.CompilePipeline;
import cache.frontend.pipeline.CompileRequest;
import cache.frontend.pipeline.Outcome;
import cache.store.EntryCodec;
import cache.store.InMemoryBlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Compiles the daemon's hit path before the first user needs it. A fresh JVM interprets and
 * profiles the hit path for its first few hundred calls (a small-C hit costs 2.5 ms of daemon
 * time at first, 0.6 ms once compiled), which is a whole small build. So at start, on a
 * background thread of low priority, one real compile of a small source with a few system
 * headers goes through a private pipeline (its own in-memory store and counters, its own
 * temporary directory, no configuration file read), and then the same call again and again:
 * direct-mode hits through the same code as a user's, until enough calls have run or a time
 * budget is spent. Nothing of it reaches the user's cache or statistics.
 */
final class Warmup implements Runnable {

    private static final Logger LOG = Logger.getLogger(Warmup.class.getName());

    /** Calls after which the hit path's methods have been compiled by C2 (measured: 1,000–2,000). */
    static final int DEFAULT_CALLS = 1_500;
    /** Wall-clock budget: a busy machine stops the warm-up early rather than compete for long. */
    static final long BUDGET_NANOS = 4_000_000_000L;

    private static final String SOURCE = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include "warm.h"
            int warm(const char *s) { return (int) strlen(s) + WARM + (int) sizeof(FILE *); }
            """;

    private final ProcessRunner runner;
    private final Path client;
    private final int umask;
    private final int calls;
    private final long budgetNanos;
    private int hits;

    Warmup(ProcessRunner runner, Path client, int umask, int calls, long budgetNanos) {
        this.runner = runner;
        this.client = client;
        this.umask = umask;
        this.calls = calls;
        this.budgetNanos = budgetNanos;
    }

    /**
     * Starts the warm-up on a daemon thread unless {@code CACHE_WARMUP=0} in the daemon's
     * environment (the client that started it).
     */
    static void startInBackground(ProcessRunner runner, Path client, int umask) {
        if ("0".equals(System.getenv("CACHE_WARMUP"))) {
            return;
        }
        Thread t = new Thread(new Warmup(runner, client, umask, DEFAULT_CALLS, BUDGET_NANOS), "jit-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** How many of the calls were direct-mode hits (for tests). */
    int hits() {
        return hits;
    }

    @Override
    public void run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cache-warmup-");
            run(dir);
        } catch (IOException | ConfigException | RuntimeException e) {
            LOG.log(Level.FINE, "JIT warm-up skipped", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private void run(Path dir) throws IOException, ConfigException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        env.put("PATH", path);
        env.put("HOME", dir.toString());
        env.put("CCACHE_DIR", dir.resolve("cache").toString());
        env.put("CCACHE_CONFIGPATH", dir.resolve("no-config").toString());
        Path compiler = CompilePipeline.realCompiler("gcc", path, dir, client);
        if (compiler == null) {
            return;
        }
        Files.writeString(dir.resolve("warm.c"), SOURCE);
        Files.writeString(dir.resolve("warm.h"), "#define WARM 1\n");
        // Files written this moment are not remembered by direct mode (they might still change).
        Thread.sleep(250);
        Config config = new ConfigLoader().load(env, dir.resolve("no-system-config"), dir);
        CompilePipeline pipeline = new CompilePipeline(new InMemoryEntryStore(EntryCodec.defaults()), new InMemoryBlobStore(),
                new InMemoryCounterStore(), runner, Clock.systemUTC(), umask, client);
        CompileRequest call = new CompileRequest("gcc", compiler, List.of("-O2", "-c", "warm.c", "-o", "warm.o"), dir,
                env, umask, false, config);
        long deadline = System.nanoTime() + budgetNanos;
        long started = System.nanoTime();
        for (int i = 0; i < calls && System.nanoTime() < deadline; i++) {
            Outcome o = pipeline.handle(call);
            if (!(o instanceof Outcome.Replay r) || r.exitCode() != 0) {
                LOG.fine(() -> "JIT warm-up stopped: " + o);
                return;
            }
            if (i > 0) {
                hits++;
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info("JIT warm-up: " + hits + " hits in " + millis + " ms");
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
