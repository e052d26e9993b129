package cache.distributor.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distributor.JobListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class DistccStateFilesTest {

    @TempDir
    Path tmp;

    @Test
    void theRecordHasDistccsX8664Layout() {
        FarmJobs.Row row = new FarmJobs.Row(1, 4242, "127.0.0.2:3632", 1, "src/a.c", FarmJobs.Phase.COMPILE,
                Instant.EPOCH);
        ByteBuffer b = ByteBuffer.wrap(DistccStateFiles.encode(row)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(296, b.remaining(), "sizeof(struct dcc_task_state) on x86-64");
        assertEquals(296, b.getLong(0), "struct_size");
        assertEquals(0x44494800L, b.getLong(8), "DCC_STATE_MAGIC");
        assertEquals(4242, b.getLong(16), "cpid");
        assertEquals("src/a.c", cString(b, 24));
        assertEquals("127.0.0.2:3632", cString(b, 152));
        assertEquals(1, b.getInt(280), "slot");
        assertEquals(5, b.getInt(284), "DCC_PHASE_COMPILE");
    }

    @Test
    void longNamesAreCutAndStillTerminated() {
        FarmJobs.Row row = new FarmJobs.Row(1, 7, "h:1", 0, "d/".repeat(100) + "x.c", FarmJobs.Phase.BLOCKED,
                Instant.EPOCH);
        byte[] bytes = DistccStateFiles.encode(row);
        assertEquals(0, bytes[24 + 127], "file[127] is NUL");
        assertEquals(1, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(284), "DCC_PHASE_BLOCKED");
    }

    /** Writes the state files' writer was handed, run when the test says. */
    private final List<Runnable> writes = new ArrayList<>();

    /** A job of client {@code pid} whose state file is written by {@link #writes}. */
    private JobListener job(long pid) {
        return new FarmJobs().track(pid, "a.c",
                DistccStateFiles.forJob(Map.of("DISTCC_DIR", tmp.resolve("distcc").toString()), writes::add));
    }

    private Path stateFile(long pid) {
        return tmp.resolve("distcc/state/binstate_" + pid);
    }

    @Test
    void aFileLivesFromTheFirstPhaseUntilDone() {
        JobListener l = job(99);
        l.phase(JobListener.Phase.COMPILE, "n:1");
        assertFalse(Files.exists(stateFile(99)), "not written on the job's thread");
        writes.forEach(Runnable::run);
        assertTrue(Files.isRegularFile(stateFile(99)), "written while the job runs");
        l.phase(JobListener.Phase.DONE, null);
        assertFalse(Files.exists(stateFile(99)), "removed when it is done, on the job's thread");
    }

    @Test
    void aPhaseNotWrittenBeforeTheJobIsDoneIsNeverWritten() {
        JobListener l = job(98);
        l.phase(JobListener.Phase.PROBE, "n:1");
        l.phase(JobListener.Phase.DONE, null);
        writes.forEach(Runnable::run); // the writer comes late
        assertFalse(Files.exists(stateFile(98)), "no file left behind by a late write");
    }

    @Test
    void theDefaultWriterWritesTheFileSoon() throws Exception {
        Path file = tmp.resolve("distcc/state/binstate_97");
        JobListener l = new FarmJobs().track(97, "a.c",
                DistccStateFiles.forJob(Map.of("DISTCC_DIR", tmp.resolve("distcc").toString())));
        l.phase(JobListener.Phase.COMPILE, "n:1");
        for (int i = 0; i < 1_000 && !Files.exists(file); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.isRegularFile(file), "written by the background writer");
        l.phase(JobListener.Phase.DONE, null);
        assertFalse(Files.exists(file), "removed when it is done");
    }

    @Test
    void theStateDirectoryIsDistccs() {
        assertEquals(Path.of("/d/state"), DistccStateFiles.stateDir(Map.of("DISTCC_DIR", "/d", "HOME", "/h")));
        assertEquals(Path.of("/h/.distcc/state"), DistccStateFiles.stateDir(Map.of("HOME", "/h")));
        assertEquals(null, DistccStateFiles.stateDir(Map.of()));
    }

    @Test
    void aJobWithoutClientPidWritesNothing() throws Exception {
        FarmJobs jobs = new FarmJobs();
        jobs.track(0, "a.c", DistccStateFiles.forJob(Map.of("DISTCC_DIR", tmp.toString())))
                .phase(JobListener.Phase.COMPILE, "n:1");
        assertFalse(Files.exists(tmp.resolve("state")));
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
