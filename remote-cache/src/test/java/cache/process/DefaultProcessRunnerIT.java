package cache.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real runner against /bin/sh: output, environment, and that nothing outlives a call. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DefaultProcessRunnerIT {

    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "ONLY", "this");

    private final DefaultProcessRunner runner = new DefaultProcessRunner();

    @TempDir
    Path dir;

    /** Starts a shell that records the pid of a background sleep it leaves running, then sleeps itself. */
    private List<String> treeThatSleeps() {
        return List.of("/bin/sh", "-c", "sleep 60 & echo $! > child.pid; sleep 60");
    }

    private ProcessHandle child() throws Exception {
        Path pid = dir.resolve("child.pid");
        while (!Files.exists(pid) || Files.readString(pid).isBlank()) {
            Thread.sleep(10);
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).orElseThrow();
    }

    @Test
    void capturesBothStreamsTheExitCodeAndOnlyTheGivenEnvironment() throws Exception {
        ProcessResult r = runner.run(List.of("/bin/sh", "-c", "echo \"$ONLY $HOME\"; pwd >&2; cat; exit 3"), dir, ENV);
        assertEquals(3, r.exitCode());
        assertFalse(r.timedOut());
        assertArrayEquals("this \n".getBytes(StandardCharsets.UTF_8), r.stdout(), "stdin is /dev/null");
        assertEquals(dir.toRealPath() + "\n", new String(r.stderr(), StandardCharsets.UTF_8));
    }

    @Test
    void aCommandPastItsLimitIsKilledWithEverythingItStarted() throws Exception {
        ProcessResult r = runner.run(treeThatSleeps(), dir, ENV, Duration.ofMillis(500));
        assertTrue(r.timedOut());
        assertEquals(-1, r.exitCode());
        ProcessHandle child = child();
        child.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(child.isAlive(), "the background child is gone too");
    }

    @Test
    void anInterruptedCallerKillsTheCommandTree() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                runner.run(treeThatSleeps(), dir, ENV);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        ProcessHandle child = child();
        caller.interrupt();
        caller.join(10_000);
        assertFalse(caller.isAlive());
        assertThrows(InterruptedException.class, () -> {
            throw thrown.get();
        });
        child.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(child.isAlive());
    }
}
