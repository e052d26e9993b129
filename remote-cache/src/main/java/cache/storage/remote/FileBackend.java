package cache.storage.remote;

import cache.store.CacheDirTag;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code file:DIRECTORY}: one file per key below a directory (an NFS mount, say), as ccache's
 * {@code FileStorage}: {@code subdirs} puts a key in one of 256 subdirectories named by its first
 * two characters, {@code flat} directly in the directory. A write goes to a temporary file
 * renamed into place, so a reader never sees half a value. Nothing here removes old entries. The
 * directory gets ccache's {@code CACHEDIR.TAG} with the first value written.
 */
final class FileBackend implements RemoteBackend {

    private final Path dir;
    private final boolean subdirs;
    /** -1: the process's own umask applies. */
    private final int umask;
    private final boolean updateMtime;
    /** Whether this process has seen {@code CACHEDIR.TAG} in the directory (ccache writes it with the first value). */
    private volatile boolean tagged;

    FileBackend(Path dir, boolean subdirs, int umask, boolean updateMtime) {
        this.dir = dir;
        this.subdirs = subdirs;
        this.umask = umask;
        this.updateMtime = updateMtime;
    }

    Path path(String key) {
        return subdirs ? dir.resolve(key.substring(0, 2)).resolve(key.substring(2)) : dir.resolve(key);
    }

    @Override
    public byte[] get(String key) throws BackendException {
        Path p = path(key);
        try {
            byte[] value = Files.readAllBytes(p);
            if (updateMtime) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
            }
            return value;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new BackendException("reading " + p + ": " + e, false, e);
        }
    }

    @Override
    public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
        Path p = path(key);
        if (onlyIfMissing && Files.exists(p)) {
            return false;
        }
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            createDirectories(p.getParent());
            if (!tagged) {
                try {
                    CacheDirTag.ensure(dir, umask);
                } catch (IOException e) {
                    // a courtesy to backup tools: the value is written all the same
                }
                tagged = true;
            }
            Files.write(tmp, value);
            permit(tmp, false);
            try {
                Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed already; that is what is reported
            }
            throw new BackendException("writing " + p + ": " + e, false, e);
        }
    }

    private void createDirectories(Path d) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        if (d.getParent() != null) {
            createDirectories(d.getParent());
        }
        try {
            Files.createDirectory(d);
            permit(d, true);
        } catch (FileAlreadyExistsException raced) {
            // another writer made it
        }
    }

    /** Applies the {@code umask} attribute: mode 0666 (files) or 0777 (directories) less the mask. */
    private void permit(Path p, boolean directory) throws IOException {
        if (umask < 0) {
            return;
        }
        Files.setPosixFilePermissions(p, permissions(umask, directory));
    }

    /** Mode 0666 (files) or 0777 (directories) less {@code umask}. */
    private static Set<PosixFilePermission> permissions(int umask, boolean directory) {
        int mode = (directory ? 0777 : 0666) & ~umask;
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(order[bit]);
            }
        }
        return perms;
    }

    @Override
    public void close() {}
}
