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

/**
 * {@link ProcessRunner} for real child processes. Output is drained on helper threads while
 * the caller waits with a deadline; on timeout or interruption every descendant is killed
 * first (gcc's cc1 and as, clang's -cc1), then the process itself, so nothing outlives its job.
 */
public final class ChildProcessRunner implements ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");

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
            return new Outcome(finished ? p.exitValue() : -1, out.get(), err.get(), !finished);
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + command.get(0), e.getCause());
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
