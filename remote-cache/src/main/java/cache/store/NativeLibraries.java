package cache.store;

import com.github.luben.zstd.util.Native;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;

/**
 * Loads RocksDB's and zstd-jni's native libraries, once per process.
 *
 * <p>RocksDB's loader asks whether the process runs on musl before it names its library, and
 * unless {@code ROCKSDB_MUSL_LIBC} says so it finds out by running {@code /usr/bin/env sh -c
 * "ldd /usr/bin/env | grep -q musl"}: six processes, 20–50 ms at a daemon's start, on the way of
 * its first store. The answer is in this process's own memory map (the C library the JVM was
 * linked against, which is the one a JNI library must match), so it is read there and handed to
 * RocksDB; when the map cannot be read, or RocksDB no longer has the field, its own probe runs.
 *
 * <p>{@link #preload} does both loads on a thread of their own at a daemon's start, beside the
 * main thread's work, so that the first call and the first store open do not wait for them.
 */
public final class NativeLibraries {

    private static final Logger LOG = Logger.getLogger(NativeLibraries.class.getName());
    /** RocksDB's override of its musl probe (an environment variable, {@code true} or {@code false}). */
    static final String MUSL_VARIABLE = "ROCKSDB_MUSL_LIBC";

    private NativeLibraries() {}

    /** RocksDB's library loaded (a no-op once it is); its musl probe answered from this process's map. */
    public static void loadRocksDb() {
        answerMuslProbe();
        RocksDB.loadLibrary();
    }

    /** Both libraries loaded, on a daemon thread named {@code native-libraries}; failures are left to their first real use. */
    public static void preload() {
        Thread t = new Thread(() -> {
            try {
                loadRocksDb();
                Native.load();
            } catch (RuntimeException | LinkageError e) {
                LOG.log(Level.FINE, "native libraries not loaded ahead; their first use will try again", e);
            }
        }, "native-libraries");
        t.setDaemon(true);
        t.start();
    }

    /** Hands RocksDB this process's answer to its musl question, unless the user's variable or an earlier answer is there. */
    static void answerMuslProbe() {
        if (System.getenv(MUSL_VARIABLE) != null) {
            return; // the user's answer, which RocksDB reads itself
        }
        Boolean musl = muslIn(Path.of("/proc/self/maps"));
        if (musl == null) {
            return;
        }
        try {
            Field f = Class.forName("org.rocksdb.util.Environment").getDeclaredField("MUSL_LIBC");
            f.setAccessible(true);
            synchronized (NativeLibraries.class) {
                if (f.get(null) == null) {
                    f.set(null, musl);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "RocksDB's musl probe left to run", e);
        }
    }

    /**
     * Whether the process whose memory map {@code maps} is runs on musl (its dynamic loader or C
     * library is musl's), or null when the map cannot be read or names no C library at all.
     */
    static Boolean muslIn(Path maps) {
        boolean libc = false;
        try (Stream<String> lines = Files.lines(maps)) {
            for (String line : (Iterable<String>) lines::iterator) {
                int slash = line.lastIndexOf('/');
                if (slash < 0) {
                    continue;
                }
                String name = line.substring(slash + 1);
                if (name.startsWith("ld-musl-") || name.startsWith("libc.musl-")) {
                    return Boolean.TRUE;
                }
                if (name.startsWith("libc.so") || name.startsWith("libc-")) {
                    libc = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return libc ? Boolean.FALSE : null;
    }
}
