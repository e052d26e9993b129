package cache.hashing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * The stat data that identifies a file's contents well enough to trust a remembered hash:
 * device, inode, size, mtime and ctime (ctime changes on every write and rename, and cannot be
 * set back by a user, which closes the "same size, mtime restored" hole).
 */
public record FileStat(long device, long inode, long size, long mtimeNanos, long ctimeNanos, boolean directory) {

    private static final String ATTRIBUTES = "unix:dev,ino,size,lastModifiedTime,ctime,isDirectory";

    /** Stats {@code path} following links; throws {@link java.nio.file.NoSuchFileException} when absent. */
    public static FileStat of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES);
        return new FileStat((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Boolean) a.get("isDirectory"));
    }

    static long nanos(FileTime t) {
        java.time.Instant i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
