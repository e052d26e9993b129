package cache.node;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link ProcessRunner} for real child processes. Output is drained on helper threads while
 * the caller waits with a deadline; on timeout or interruption every descendant is killed
 * first (gcc's cc1 and as, clang's -cc1), then the process itself, so nothing outlives its job.
 */
public final class ChildProcessRunner implements ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");
    private static final long DRAIN_LIMIT_SECONDS = 30;

    private final ExecutorService drains = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cached-drain");
        t.setDaemon(true);
        return t;
    });

    @Override
    public Outcome run(List<String> command, Path dir, Map<String, String> env, Duration limit)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(DEV_NULL);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), drains);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), drains);
        boolean finished;
        try {
            finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(p);
            throw e;
        }
        if (!finished) {
            killTree(p);
            p.waitFor();
        }
        try {
            // A descendant that outlived the compiler could hold the pipes open: bounded wait.
            return new Outcome(finished ? p.exitValue() : -1, out.get(DRAIN_LIMIT_SECONDS, TimeUnit.SECONDS),
                    err.get(DRAIN_LIMIT_SECONDS, TimeUnit.SECONDS), !finished);
        } catch (ExecutionException e) {
            if (!finished) {
                // Killed for its lifetime: the JDK closes a dead process's pipes under a
                // reader ("Stream closed"); the answer is the timeout, not a read error.
                return new Outcome(-1, new byte[0], new byte[0], true);
            }
            throw new IOException("reading the output of " + command.get(0), e.getCause());
        } catch (TimeoutException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            throw new IOException(command.get(0) + " exited but its output stayed open");
        }
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
