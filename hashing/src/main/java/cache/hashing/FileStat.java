package cache.hashing;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * The stat data that identifies a file's contents well enough to trust a remembered hash:
 * device, inode, size, mtime and ctime (ctime changes on every write and rename, and cannot be
 * set back by a user, which closes the "same size, mtime restored" hole).
 *
 * <p>A hit stats every header it used, so this is the daemon's hottest system call. The JDK's
 * public way to get device, inode and ctime builds a map of attributes by name, and a missing
 * file costs an exception with a stack trace. When the JVM runs with
 * {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} (the daemon does), the JDK's own stat
 * record is read directly: one {@code stat(2)}, no map, and a missing file is a cheap
 * internal exception answered as {@code null}. Without it the public API is used; both give
 * the same values.
 */
public record FileStat(long device, long inode, long size, long mtimeNanos, long ctimeNanos, boolean directory,
        boolean regular) {

    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime,isDirectory,isRegularFile";

    /** The JDK's stat record, or {@code null} when its package is not open to us. */
    private static final Direct DIRECT = Direct.open();

    /**
     * A file stamped with a whole second may live on a file system that keeps seconds only (or
     * two, FAT): every write within that span gets the same stamp.
     */
    static final long COARSE_FILE_SYSTEM_SPAN = 2_000_000_000L;

    /**
     * Whether the file may have changed at or after {@code instant} (epoch nanoseconds), or so
     * close before it that a later write could leave the same stamps: then neither a remembered
     * hash nor a manifest may rely on these stat data. With {@code instant} read from the
     * kernel's coarse clock (the one that stamps files) no later than the file was read, a stamp
     * before it means every later write gets another stamp. Whole-second stamps get {@link
     * #COARSE_FILE_SYSTEM_SPAN} of margin.
     */
    public boolean changedSince(long instant) {
        return notBefore(mtimeNanos, instant) || notBefore(ctimeNanos, instant);
    }

    /**
     * {@link #changedSince(long)} looking only at the times asked for (ccache's {@code
     * include_file_mtime}/{@code include_file_ctime} sloppiness leaves one out).
     */
    public boolean changedSince(long instant, boolean mtime, boolean ctime) {
        return (mtime && notBefore(mtimeNanos, instant)) || (ctime && notBefore(ctimeNanos, instant));
    }

    private static boolean notBefore(long stamp, long instant) {
        long margin = stamp % 1_000_000_000L == 0 ? COARSE_FILE_SYSTEM_SPAN : 0;
        return stamp >= instant - margin;
    }

    /** Stats {@code path} following links; throws {@link NoSuchFileException} when absent. */
    public static FileStat of(Path path) throws IOException {
        if (DIRECT != null) {
            FileStat s = DIRECT.stat(path);
            if (s == null) {
                throw new NoSuchFileException(path.toString());
            }
            return s;
        }
        return viaAttributes(path);
    }

    /**
     * Stats {@code path} following links; {@code null} when it does not exist (or a component of
     * it is not a directory). Other errors, such as a permission denied, are thrown.
     */
    public static FileStat ofOrNull(Path path) throws IOException {
        if (DIRECT != null) {
            return DIRECT.stat(path);
        }
        try {
            return viaAttributes(path);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return null;
        } catch (java.nio.file.FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                return null;
            }
            throw e;
        }
    }

    /** {@link #kindNoFollow}'s answers. */
    public static final int ABSENT = 0;
    public static final int DIRECTORY = 1;
    public static final int REGULAR = 2;
    public static final int LINK = 3;
    public static final int OTHER = 4;

    /**
     * What {@code path} itself is, not following a final symbolic link (lstat): {@link #ABSENT}
     * (also when a component is not a directory), {@link #DIRECTORY}, {@link #REGULAR},
     * {@link #LINK} or {@link #OTHER}. Other errors (a permission) are thrown. Without an
     * exception for an absent path on the fast path: {@code FileWatch} asks this of every
     * component of every shadowing candidate it watches, most of which do not exist.
     */
    public static int kindNoFollow(Path path) throws IOException {
        if (DIRECT != null && DIRECT.unixPath.isInstance(path)) {
            return DIRECT.kindNoFollow(path);
        }
        return kindViaAttributes(path);
    }

    static int kindViaAttributes(Path path) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return ABSENT;
        }
        return a.isSymbolicLink() ? LINK : a.isDirectory() ? DIRECTORY : a.isRegularFile() ? REGULAR : OTHER;
    }

    /** Whether the fast path is in use (for tests and the daemon's startup log). */
    public static boolean direct() {
        return DIRECT != null;
    }

    static FileStat viaAttributes(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES);
        return new FileStat((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Boolean) a.get("isDirectory"), (Boolean) a.get("isRegularFile"));
    }

    static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** Reads {@code sun.nio.fs.UnixFileAttributes} through method handles. */
    static final class Direct {
        private static final int ENOENT = 2;
        private static final int ENOTDIR = 20;
        private static final int S_IFMT = 0170000;
        private static final int S_IFDIR = 0040000;
        private static final int S_IFREG = 0100000;
        private static final int S_IFLNK = 0120000;

        private final Class<?> unixPath;
        private final MethodHandle get;      // (UnixPath, boolean) -> UnixFileAttributes
        private final MethodHandle errno;    // (UnixException) -> int
        private final Class<?> unixException;
        private final MethodHandle mode;
        private final MethodHandle ino;
        private final MethodHandle dev;
        private final MethodHandle size;
        private final MethodHandle mtimeSec;
        private final MethodHandle mtimeNsec;
        private final MethodHandle ctimeSec;
        private final MethodHandle ctimeNsec;

        private Direct() throws ReflectiveOperationException {
            Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
            unixPath = Class.forName("sun.nio.fs.UnixPath");
            unixException = Class.forName("sun.nio.fs.UnixException");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup());
            MethodType generic = MethodType.methodType(Object.class, Object.class, boolean.class);
            get = l.findStatic(attrs, "get", MethodType.methodType(attrs, unixPath, boolean.class)).asType(generic);
            MethodHandles.Lookup le = MethodHandles.privateLookupIn(unixException, MethodHandles.lookup());
            errno = le.findVirtual(unixException, "errno", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Exception.class));
            mode = getter(l, attrs, "st_mode", int.class);
            ino = getter(l, attrs, "st_ino", long.class);
            dev = getter(l, attrs, "st_dev", long.class);
            size = getter(l, attrs, "st_size", long.class);
            mtimeSec = getter(l, attrs, "st_mtime_sec", long.class);
            mtimeNsec = getter(l, attrs, "st_mtime_nsec", long.class);
            ctimeSec = getter(l, attrs, "st_ctime_sec", long.class);
            ctimeNsec = getter(l, attrs, "st_ctime_nsec", long.class);
        }

        private static MethodHandle getter(MethodHandles.Lookup l, Class<?> c, String field, Class<?> type)
                throws ReflectiveOperationException {
            return l.findGetter(c, field, type).asType(MethodType.methodType(type, Object.class));
        }

        /** The fast path, or {@code null} when the JDK does not open it or looks different. */
        static Direct open() {
            try {
                Direct d = new Direct();
                Path probe = Path.of("/");
                FileStat mine = d.stat(probe);
                FileStat theirs = viaAttributes(probe);
                return theirs.equals(mine) ? d : null;
            } catch (Throwable e) { // IllegalAccessException without --add-opens; anything odd: the public API
                return null;
            }
        }

        /** {@link #attributes}'s answer for an error other than absence. */
        private static final Object FAILED = new Object();

        /**
         * The JDK's stat record of {@code path} (of the link itself when not {@code follow});
         * {@code null} when it does not exist (or a component is not a directory); {@link
         * #FAILED} for any other error, which the caller asks the public API again, so that it is
         * reported in the JDK's words.
         */
        private Object attributes(Path path, boolean follow) throws IOException {
            try {
                return (Object) get.invokeExact((Object) path, follow);
            } catch (Throwable t) {
                if (unixException.isInstance(t)) {
                    int e = errnoOf((Exception) t);
                    return e == ENOENT || e == ENOTDIR ? null : FAILED;
                }
                throw new IOException((follow ? "stat " : "lstat ") + path, t);
            }
        }

        FileStat stat(Path path) throws IOException {
            if (!unixPath.isInstance(path)) {
                return viaAttributes(path);
            }
            Object a = attributes(path, true);
            if (a == null || a == FAILED) {
                return a == null ? null : viaAttributes(path);
            }
            try {
                int m = (int) mode.invokeExact(a);
                return new FileStat((long) dev.invokeExact(a), (long) ino.invokeExact(a), (long) size.invokeExact(a),
                        (long) mtimeSec.invokeExact(a) * 1_000_000_000L + (long) mtimeNsec.invokeExact(a),
                        (long) ctimeSec.invokeExact(a) * 1_000_000_000L + (long) ctimeNsec.invokeExact(a),
                        (m & S_IFMT) == S_IFDIR, (m & S_IFMT) == S_IFREG);
            } catch (Throwable t) {
                throw new IOException("stat " + path, t);
            }
        }

        int kindNoFollow(Path path) throws IOException {
            Object a = attributes(path, false);
            if (a == null || a == FAILED) {
                return a == null ? ABSENT : kindViaAttributes(path);
            }
            try {
                int m = (int) mode.invokeExact(a) & S_IFMT;
                return m == S_IFDIR ? DIRECTORY : m == S_IFREG ? REGULAR : m == S_IFLNK ? LINK : OTHER;
            } catch (Throwable t) {
                throw new IOException("lstat " + path, t);
            }
        }

        private int errnoOf(Exception e) {
            try {
                return (int) errno.invokeExact(e);
            } catch (Throwable t) {
                return -1;
            }
        }
    }
}
