package cache.process;

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
 * {@link ProcessRunner} for real child processes, safe to share between threads.
 *
 * <p>The command is started on the caller's thread and the caller's thread waits for it to end:
 * a child that ties its life to the thread that spawned it (PR_SET_PDEATHSIG, see
 * {@link SupervisedProcessRunner}) lives exactly as long as this call. Its output is drained on
 * helper threads meanwhile, so a command filling one pipe never blocks on the other.
 *
 * <p>On timeout or interruption the command gets SIGTERM, then every descendant (gcc's cc1 and as,
 * clang's -cc1, the compiler under a supervisor) and the command itself SIGKILL, so nothing
 * outlives its call. Once the command has exited, a descendant that still holds its output open
 * is waited for at most 30 s, then killed, and the call fails with {@link IOException}.
 */
public final class DefaultProcessRunner implements ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");
    private static final long DRAIN_LIMIT_SECONDS = 30;
    private static final long TERM_GRACE_MILLIS = 1_000;
    /** Longer than any wait {@link Process#waitFor(long, TimeUnit)} can express. */
    private static final Duration LONGEST_WAIT = Duration.ofNanos(Long.MAX_VALUE);

    private final ExecutorService drains = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "process-drain");
        t.setDaemon(true);
        return t;
    });

    @Override
    public ProcessResult run(List<String> command, Path cwd, Map<String, String> env, Duration limit)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectInput(DEV_NULL);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), drains);
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), drains);
        try {
            boolean finished = waitFor(p, limit);
            if (!finished) {
                killTree(p);
                p.waitFor();
            }
            return collect(command, p, finished, out, err);
        } catch (InterruptedException e) {
            killTree(p);
            throw e;
        }
    }

    private static boolean waitFor(Process p, Duration limit) throws InterruptedException {
        if (limit.compareTo(LONGEST_WAIT) >= 0) {
            p.waitFor();
            return true;
        }
        return p.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static ProcessResult collect(List<String> command, Process p, boolean finished,
            CompletableFuture<byte[]> out, CompletableFuture<byte[]> err) throws IOException, InterruptedException {
        try {
            // A descendant that outlived the command could hold the pipes open: bounded wait.
            return new ProcessResult(finished ? p.exitValue() : -1, out.get(DRAIN_LIMIT_SECONDS, TimeUnit.SECONDS),
                    err.get(DRAIN_LIMIT_SECONDS, TimeUnit.SECONDS), !finished);
        } catch (ExecutionException e) {
            if (!finished) {
                // Killed for its lifetime: the JDK closes a dead process's pipes under a
                // reader ("Stream closed"); the answer is the timeout, not a read error.
                return new ProcessResult(-1, new byte[0], new byte[0], true);
            }
            throw new IOException("reading the output of " + command.get(0), e.getCause());
        } catch (TimeoutException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            throw new IOException(command.get(0) + " exited but its output stayed open");
        }
    }

    /**
     * Ends the command and everything it started. SIGTERM first, waited for briefly: a supervisor
     * ({@link SupervisedProcessRunner}) answers it by killing its compiler's whole process group,
     * which also reaches what left the tree; then SIGKILL for every descendant seen before and
     * for the command, whatever it did with the signal.
     */
    private static void killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroy();
        try {
            p.waitFor(TERM_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // still killed below; the caller sees the interruption
        }
        tree.forEach(ProcessHandle::destroyForcibly);
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
