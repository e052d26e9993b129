package cache.frontend.replay;

import cache.store.OutputKind;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
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
 * follow the caller's umask, as the compiler's would.
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

    /** Writes every stored output to its path; the object last, so build tools see it complete. */
    public static void write(Path cwd, Map<OutputKind, String> paths, Map<OutputKind, byte[]> contents, int umask)
            throws IOException {
        for (Map.Entry<OutputKind, String> p : paths.entrySet()) {
            if (p.getKey() == OutputKind.OBJECT) {
                continue;
            }
            byte[] data = contents.get(p.getKey());
            if (data == null) {
                throw new IOException("stored entry lacks " + p.getKey());
            }
            writeAtomically(cwd.resolve(p.getValue()), data, umask);
        }
        writeAtomically(cwd.resolve(paths.get(OutputKind.OBJECT)), contents.get(OutputKind.OBJECT), umask);
    }

    /** Applies the caller's umask to files a compile wrote with the daemon's. */
    public static void applyUmask(Path cwd, Map<OutputKind, String> paths, int umask) throws IOException {
        for (String p : paths.values()) {
            Files.setPosixFilePermissions(cwd.resolve(p), permissions(umask));
        }
    }

    static void writeAtomically(Path target, byte[] data, int umask) throws IOException {
        if (data == null) {
            throw new IOException("no stored contents for " + target);
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".cache-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        boolean moved = false;
        try {
            Files.write(tmp, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(tmp, permissions(umask));
            // Unlink first: renaming over an existing file makes ext4 (auto_da_alloc) start
            // writeback of the new data at once, which more than doubles the cost of a hit.
            Files.deleteIfExists(target);
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
