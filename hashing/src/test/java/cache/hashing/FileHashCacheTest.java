package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FileHashCacheTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(10)
    void aFifoOrADeviceIsRefusedWithoutReadingIt() throws Exception {
        Path fifo = dir.resolve("pipe.h");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        FileHashCache cache = new FileHashCache(100, FileHashCacheTest::later);
        // Reading a FIFO with no writer blocks forever, /dev/zero never ends: both must throw at once.
        assertThrows(java.io.IOException.class, () -> cache.hash(fifo));
        assertThrows(java.io.IOException.class, () -> cache.hash(Path.of("/dev/zero")));
        assertThrows(java.io.IOException.class, () -> cache.hash(dir));
    }

    @Test
    void unchangedFileIsServedFromMemory() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "int a;\n");
        FileHashCache cache = new FileHashCache(100, FileHashCacheTest::later);
        FileHashCache.Hashed first = cache.hash(f);
        assertSame(first, cache.hash(f));
        assertEquals(Digest.of("int a;\n".getBytes(StandardCharsets.UTF_8)), first.digest());
    }

    @Test
    void sameSizeAndRestoredMtimeStillSeesTheNewContents() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "int a;\n");
        FileHashCache cache = new FileHashCache(100, FileHashCacheTest::later);
        FileTime mtime = Files.getLastModifiedTime(f);
        Digest before = cache.hash(f).digest();
        Thread.sleep(5); // let the clock move, so the ctime differs
        Files.writeString(f, "int b;\n");
        Files.setLastModifiedTime(f, mtime);
        assertNotEquals(before, cache.hash(f).digest());
    }

    @Test
    void aFileChangedJustNowIsReadAgainUntilItSettles() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "int a;\n");
        long changed = Files.getLastModifiedTime(f).toInstant().toEpochMilli() * 1_000_000L;
        long[] now = {changed + 1_000_000L};
        FileHashCache cache = new FileHashCache(100, () -> now[0]);
        FileHashCache.Hashed first = cache.hash(f);
        assertNotSame(first, cache.hash(f), "a file written a millisecond ago must not be remembered");
        now[0] = changed + 10 * FileHashCache.SETTLE_NANOS;
        FileHashCache.Hashed settled = cache.hash(f);
        assertSame(settled, cache.hash(f));
        assertEquals(first.digest(), settled.digest());
    }

    /** A clock an hour ahead: every file has settled. */
    private static long later() {
        return System.currentTimeMillis() * 1_000_000L + 3_600_000_000_000L;
    }

    @Test
    void quoteIncludesAreFound() {
        assertEquals(0, FileHashCache.includes("#include <stdio.h>\n  #  include_next <x.h>\n".getBytes()));
        assertEquals(FileHashCache.QUOTE_INCLUDE, FileHashCache.includes("#include \"conf.h\"\n".getBytes()));
        assertEquals(FileHashCache.QUOTE_INCLUDE, FileHashCache.includes("int x;\n # include HEADER\n".getBytes()));
        assertEquals(FileHashCache.QUOTE_INCLUDE, FileHashCache.includes("#import\"a.h\"".getBytes()));
        assertEquals(FileHashCache.QUOTE_INCLUDE, FileHashCache.includes("#include \\\n\"a.h\"".getBytes()));
        assertEquals(0, FileHashCache.includes("#includes \"no\"\nx = \"#include \\\"y\\\"\";".getBytes()));
    }

    @Test
    void timeMacrosAreFound() {
        assertEquals(0, FileHashCache.timeMacros("int __x__;".getBytes()));
        assertEquals(FileHashCache.DATE, FileHashCache.timeMacros("x = __DATE__;".getBytes()));
        assertEquals(FileHashCache.TIME, FileHashCache.timeMacros("x = __TIME__".getBytes()));
        assertEquals(FileHashCache.TIMESTAMP | FileHashCache.DATE,
                FileHashCache.timeMacros("__TIMESTAMP__ __DATE__".getBytes()));
        assertEquals(FileHashCache.HAS_INCLUDE, FileHashCache.timeMacros("#if __has_include(<x.h>)".getBytes()));
    }
}
