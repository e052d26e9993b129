package cache.frontend.replay;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import cache.hashing.FileStat;
import cache.store.OutputKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads a compile's outputs into memory and writes stored outputs back at the caller's paths.
 *
 * <p>Writes go to a temporary file in the same directory, then the old file is unlinked and the
 * new one renamed into place, so a daemon killed mid-write never leaves a truncated object under
 * the real name (at worst no file, which a build tool treats as out of date). Permissions
 * follow the caller's umask, as the compiler's would. A file that already holds the very bytes
 * is only stamped ({@link #restamped}).
 */
public final class OutputFiles {

    private OutputFiles() {}

    /** What reading a compile's outputs found. */
    public record Collected(Map<OutputKind, byte[]> files, OutputKind missing, OutputKind empty) {}

    public static Collected collect(Path cwd, Map<OutputKind, String> outputs) throws IOException {
        Map<OutputKind, byte[]> files = new EnumMap<>(OutputKind.class);
        OutputKind empty = null;
        for (Map.Entry<OutputKind, String> o : outputs.entrySet()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(cwd.resolve(o.getValue()));
            } catch (NoSuchFileException e) {
                return new Collected(files, o.getKey(), null);
            }
            if (bytes.length == 0 && o.getKey() == OutputKind.OBJECT) {
                empty = o.getKey();
            }
            files.put(o.getKey(), bytes);
        }
        return new Collected(files, null, empty);
    }

    /**
     * Writes every stored output to its path; the object last, so build tools see it complete.
     * {@code umask} is the caller's, {@code daemonUmask} the one this process creates files with.
     */
    public static void write(Path cwd, Map<OutputKind, String> paths, Map<OutputKind, byte[]> contents, int umask,
            int daemonUmask) throws IOException {
        for (Map.Entry<OutputKind, String> p : paths.entrySet()) {
            if (p.getKey() == OutputKind.OBJECT) {
                continue;
            }
            byte[] data = contents.get(p.getKey());
            if (data == null) {
                throw new IOException("stored entry lacks " + p.getKey());
            }
            writeAtomically(cwd.resolve(p.getValue()), data, umask, daemonUmask);
        }
        if (paths.containsKey(OutputKind.OBJECT)) { // none with -fsyntax-only
            writeAtomically(cwd.resolve(paths.get(OutputKind.OBJECT)), contents.get(OutputKind.OBJECT), umask,
                    daemonUmask);
        }
    }

    /**
     * Applies the caller's umask to files a compile wrote with the daemon's. Only to regular
     * files: an output named {@code /dev/null} (a probe's {@code -o /dev/null}) is the system's
     * device, whose mode is not the caller's to change.
     */
    public static void applyUmask(Path cwd, Map<OutputKind, String> paths, int umask) throws IOException {
        for (String p : paths.values()) {
            Path file = cwd.resolve(p);
            FileStat st = FileStat.ofOrNull(file);
            if (st != null && st.regular()) {
                Files.setPosixFilePermissions(file, permissions(umask));
            }
        }
    }

    static void writeAtomically(Path target, byte[] data, int umask, int daemonUmask) throws IOException {
        if (data == null) {
            throw new IOException("no stored contents for " + target);
        }
        FileStat existing = FileStat.ofOrNull(target);
        if (existing != null && !existing.regular() && !existing.directory()) {
            // A device, FIFO or socket (-o /dev/null): written into, as the compiler writes it.
            // Never unlinked and replaced: as root that would turn /dev/null into a file.
            try (FileChannel out = FileChannel.open(target, EnumSet.of(WRITE))) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            return;
        }
        if (existing != null && existing.regular() && existing.size() == data.length && data.length > 0
                && restamped(target, data, umask)) {
            return;
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".cache-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        int mode = 0666 & ~umask;
        boolean moved = false;
        try {
            // Created with the caller's mode; the kernel takes the daemon's umask off it, so a
            // chmod is needed only when that takes bits the caller's umask keeps.
            try (FileChannel out = FileChannel.open(tmp, EnumSet.of(CREATE_NEW, WRITE), PosixFilePermissions.asFileAttribute(permissions(umask)))) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            if ((mode & ~daemonUmask) != mode) {
                Files.setPosixFilePermissions(tmp, permissions(umask));
            }
            // Unlink first: renaming over an existing file makes ext4 (auto_da_alloc) start
            // writeback of the new data at once, which more than doubles the cost of a hit
            // (and truncating in place, as ccache does, costs the same). Not when the stat above
            // found nothing (a build after a clean): the rename replaces whatever came since.
            if (existing != null) {
                Files.deleteIfExists(target);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * When {@code target} already holds exactly {@code data}, as a fresh write would leave it, it
     * is stamped instead of rewritten: a hit that rebuilds an unchanged object (a touched source,
     * a header edit that changed nothing, a branch switched back) then costs a read and a
     * one-byte write instead of a new inode, which on ext4 is the largest part of a warm hit
     * (~0.2 ms of a 1 ms hit here; ccache's in-place truncation costs more).
     *
     * <p>Only when nothing else could tell: a regular file (not a link), a single link (a rewrite
     * would leave another name with the old contents untouched), owned by this process's user and
     * with the mode a new file gets from the caller's umask. The byte written is the one already
     * there, so the contents are the same at every instant; the write makes the kernel stamp
     * mtime and ctime with the clock that stamps every other write, so {@code make} sees the
     * object newer than its sources exactly as after a rewrite.
     */
    static boolean restamped(Path target, byte[] data, int umask) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(target, "unix:mode,uid,nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileSystemException e) {
            return false; // gone meanwhile, or not ours to read: written the usual way
        }
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) != S_IFREG || (mode & 07777) != (0666 & ~umask) || (Integer) a.get("nlink") != 1
                || (Integer) a.get("uid") != Owner.UID) {
            return false;
        }
        try (FileChannel f = FileChannel.open(target, READ, WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (f.size() != data.length) {
                return false;
            }
            ByteBuffer chunk = ByteBuffer.allocate(Math.min(data.length, COMPARE_CHUNK));
            int at = 0;
            while (at < data.length) {
                chunk.clear().limit(Math.min(chunk.capacity(), data.length - at));
                int n = f.read(chunk, at);
                if (n <= 0 || !Arrays.equals(chunk.array(), 0, n, data, at, at + n)) {
                    return false;
                }
                at += n;
            }
            if (f.write(ByteBuffer.wrap(data, 0, 1), 0) != 1) {
                return false;
            }
            return true;
        } catch (java.nio.file.FileSystemException e) {
            return false; // gone, a link put in its place, not writable: written the usual way
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int COMPARE_CHUNK = 64 * 1024;

    /** This process's user, as {@code /proc/self} is owned by it. */
    private static final class Owner {
        static final int UID = uid();

        private static int uid() {
            try {
                return (Integer) Files.getAttribute(Path.of("/proc/self/"), "unix:uid");
            } catch (IOException | RuntimeException e) {
                return -1; // no file matches: always rewritten
            }
        }
    }

    /** 0666 minus the umask, as open(2) with O_CREAT and mode 0666 gives. */
    static Set<PosixFilePermission> permissions(int umask) {
        int mode = 0666 & ~umask;
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) {
                s.add(order[bit]);
            }
        }
        return s;
    }
}
