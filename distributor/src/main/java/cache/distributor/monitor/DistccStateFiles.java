package cache.distributor.monitor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Logger;

/**
 * distcc's state files for our farm's jobs, so that distcc's own monitors ({@code
 * distccmon-text}, {@code distccmon-gnome}) list them: {@code $DISTCC_DIR/state/binstate_<pid>}
 * ({@code DISTCC_DIR} defaults to {@code ~/.distcc}) holding a {@code struct dcc_task_state}
 * (distcc's {@code src/state.h}) in x86-64 layout, rewritten at each phase and removed when the
 * job is done, as a distcc client does.
 *
 * <p>The pid is the client's ({@code cache gcc …}): distccmon drops a file whose pid no longer
 * exists ({@code kill(pid, 0)}), and the client lives exactly as long as its job matters. Jobs
 * whose client pid is not known write nothing. distccmon also deletes a file not rewritten for
 * 60 s, which a compile longer than that loses, as distcc's own does. Writing is best effort:
 * a file that cannot be written never touches the job.
 *
 * <p>A job's phases are written on a background thread, not on the job's: writing a file is
 * several system calls (a directory made, a file written, a rename), which took a median
 * 0.4 ms of a node hit's 5 ms in {@code farm.sh} at load ~4.6, before its probe was even sent.
 * Its removal when the job is done stays on the job's thread (a job that is done has no
 * file left, which the monitors and their tests rely on), and costs nothing when no file was
 * written yet: a phase not written before the job is done is never written.
 */
public final class DistccStateFiles {

    private static final Logger LOG = Logger.getLogger(DistccStateFiles.class.getName());

    /** {@code DCC_STATE_MAGIC}: "DIH\0". */
    static final long MAGIC = 0x44494800L;
    /** {@code sizeof(struct dcc_task_state)} on x86-64: size_t, 2 longs, 2×char[128], 2 ints, a pointer. */
    static final int SIZE = 8 + 8 + 8 + 128 + 128 + 4 + 4 + 8;
    /** distcc's {@code dcc_state_prefix}. */
    static final String PREFIX = "binstate_";

    private DistccStateFiles() {}

    /** The state directory distcc would use with {@code env}, or null when it has no home to use. */
    static Path stateDir(Map<String, String> env) {
        String dir = env.get("DISTCC_DIR");
        if (dir == null || dir.isEmpty()) {
            String home = env.get("HOME");
            if (home == null || home.isEmpty()) {
                return null;
            }
            dir = home + "/.distcc";
        }
        return Path.of(dir, "state");
    }

    /** One thread for every job's writes, in the order their phases came. */
    private static final Executor WRITER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "distcc-state-files");
        t.setDaemon(true);
        return t;
    });

    /** What writes a job's state file in distcc's state directory for {@code env}. */
    public static FarmJobs.Observer forJob(Map<String, String> env) {
        return forJob(env, WRITER);
    }

    /** {@link #forJob(Map)}, its phases written by {@code writer}. */
    static FarmJobs.Observer forJob(Map<String, String> env, Executor writer) {
        Path dir = stateDir(env);
        return dir == null ? FarmJobs.Observer.NONE : new JobFile(dir, writer);
    }

    /**
     * One job's file: phases written by the writer, the latest only; removed on the job's thread
     * when it is done, if it was written (the lock keeps a late write from coming after).
     */
    private static final class JobFile implements FarmJobs.Observer {
        private final Path dir;
        private final Executor writer;
        private FarmJobs.Row latest;
        private boolean written;
        private boolean done;

        JobFile(Path dir, Executor writer) {
            this.dir = dir;
            this.writer = writer;
        }

        @Override
        public void changed(FarmJobs.Row row) {
            if (row.phase() == FarmJobs.Phase.DONE) {
                synchronized (this) {
                    done = true;
                    if (written) {
                        write(dir, row); // removes the file
                    }
                }
                return;
            }
            synchronized (this) {
                latest = row;
            }
            try {
                writer.execute(this::writeLatest);
            } catch (RejectedExecutionException e) {
                LOG.fine(() -> "distcc state file not written: " + e);
            }
        }

        private synchronized void writeLatest() {
            if (done || latest == null) {
                return;
            }
            write(dir, latest);
            latest = null;
            written = true;
        }
    }

    static void write(Path dir, FarmJobs.Row row) {
        if (row.pid() <= 0) {
            return;
        }
        Path file = dir.resolve(PREFIX + row.pid());
        try {
            if (row.phase() == FarmJobs.Phase.DONE) {
                Files.deleteIfExists(file);
                return;
            }
            Files.createDirectories(dir);
            Path tmp = dir.resolve("." + PREFIX + row.pid() + ".tmp"); // not listed: distccmon reads binstate_* only
            Files.write(tmp, encode(row));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "distcc state file " + file + ": " + e);
        }
    }

    /** {@code struct dcc_task_state}, little-endian, strings cut to 127 bytes and NUL-padded. */
    static byte[] encode(FarmJobs.Row row) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(SIZE).putLong(MAGIC).putLong(row.pid());
        putString(b, row.file());
        putString(b, row.node());
        b.putInt(Math.max(0, row.slot())).putInt(row.phase().ordinal()).putLong(0);
        return b.array();
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, 127);
        b.put(bytes, 0, n).put(new byte[128 - n]);
    }
}
