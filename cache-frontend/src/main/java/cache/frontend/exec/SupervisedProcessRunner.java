package cache.frontend.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs commands under the native client's {@code --cache-supervise} mode when a client binary
 * is known: the supervisor puts the compiler in its own process group, dies with the daemon
 * (PR_SET_PDEATHSIG) and then kills that group. So a daemon killed with SIGKILL never leaves a
 * compiler behind that could still be writing an object while the build's fallback compile
 * writes the same file.
 */
public final class SupervisedProcessRunner implements ProcessRunner {

    private static final File DEV_NULL = new File("/dev/null");

    private final Path supervisor;
    private final ExecutorService drains = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stderr-drain");
        t.setDaemon(true);
        return t;
    });

    /** @param supervisor the native client, or {@code null} to run commands directly */
    public SupervisedProcessRunner(Path supervisor) {
        this.supervisor = supervisor;
    }

    @Override
    public ProcessResult run(List<String> command, Path cwd, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(command.size() + 2);
        if (supervisor != null) {
            full.add(supervisor.toString());
            full.add("--cache-supervise");
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).directory(cwd.toFile()).redirectInput(DEV_NULL);
        Map<String, String> penv = pb.environment();
        penv.clear();
        penv.putAll(env);
        Process p = pb.start();
        try {
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), drains);
            byte[] out = readAll(p.getInputStream());
            int code = p.waitFor();
            return new ProcessResult(code, out, err.get());
        } catch (InterruptedException e) {
            p.destroy();
            throw e;
        } catch (ExecutionException | UncheckedIOException e) {
            p.destroy();
            throw new IOException("reading the output of " + command.get(0), e.getCause());
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
