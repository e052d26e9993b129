package cache.store;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * zstd-jni's library as the build unpacked it into {@code dist/lib/native} (named {@code
 * libzstd-jni.so}, on the library path both launchers pass). Pointed at it, zstd-jni does not
 * unpack its own copy into /tmp on its first use, a 1 MB file that a killed daemon or node leaves
 * behind. RocksDB's and Netty's libraries need nothing of the kind: their loaders try the library
 * path first.
 */
public final class UnpackedZstd {

    /** zstd-jni's property naming the library file it loads instead of unpacking its own. */
    static final String PROPERTY = "ZstdNativePath";
    static final String FILE_NAME = "libzstd-jni.so";

    private UnpackedZstd() {}

    /**
     * Sets zstd-jni's property to the unpacked copy on {@code java.library.path}, unless it is
     * set already or there is none. Call before the first use of zstd.
     */
    public static void use() {
        if (System.getProperty(PROPERTY) == null) {
            Path lib = find(System.getProperty("java.library.path"));
            if (lib != null) {
                System.setProperty(PROPERTY, lib.toString());
            }
        }
    }

    /** The first regular file {@code libzstd-jni.so} in the directories of {@code libraryPath}, or null. */
    static Path find(String libraryPath) {
        if (libraryPath == null) {
            return null;
        }
        for (String dir : libraryPath.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path lib = Path.of(dir, FILE_NAME);
                if (Files.isRegularFile(lib)) {
                    return lib;
                }
            }
        }
        return null;
    }
}
