package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the launchers' library path leads zstd-jni (the processes themselves: ManyCacheDirsIT, CachedProcessIT). */
class UnpackedZstdTest {

    @Test
    void theLibraryIsTheFirstRegularFileOfThatNameOnTheLibraryPath(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path nativeDir = Files.createDirectory(tmp.resolve("native"));
        assertNull(UnpackedZstd.find(null));
        assertNull(UnpackedZstd.find(empty.toString()), "no copy: zstd-jni unpacks its own");
        Files.createDirectory(empty.resolve(UnpackedZstd.FILE_NAME));
        assertNull(UnpackedZstd.find(empty.toString()), "a directory of that name is not the library");
        Path lib = Files.writeString(nativeDir.resolve(UnpackedZstd.FILE_NAME), "elf");
        assertEquals(lib, UnpackedZstd.find("::" + empty + ":" + nativeDir));
    }
}
