package cache.frontend.dispatch;

import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.frontend.replay.OutputFiles;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Compiles on this machine, on the calling thread, writing straight to the caller's paths; the
 * outputs are then read back for the store. A failure to run the compiler at all is thrown (the
 * call falls back to the client's own compile); every compiler answer is a result.
 */
public final class LocalBuilder implements Builder {

    private final ProcessRunner runner;
    private final int daemonUmask;

    /** @param daemonUmask the daemon's own umask: outputs of a caller with another get its mode fixed */
    public LocalBuilder(ProcessRunner runner, int daemonUmask) {
        this.runner = runner;
        this.daemonUmask = daemonUmask;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public CompletableFuture<BuildResult> build(BuildJob job) throws InterruptedException {
        try {
            return CompletableFuture.completedFuture(compile(job));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private BuildResult compile(BuildJob job) throws IOException, InterruptedException {
        ProcessResult r = runner.run(job.localCommand(), job.cwd(), job.env());
        if (r.exitCode() != 0) {
            return new BuildResult(r.exitCode(), r.stdout(), r.stderr(), Map.of(), null, null, true, name(), null);
        }
        OutputFiles.Collected files = OutputFiles.collect(job.cwd(), job.inv().outputs());
        BuildResult result = new BuildResult(r.exitCode(), r.stdout(), r.stderr(), files.files(), files.missing(),
                files.empty(), true, name(), null);
        if (result.complete() && job.umask() != daemonUmask) {
            OutputFiles.applyUmask(job.cwd(), job.inv().outputs(), job.umask());
        }
        return result;
    }
}
