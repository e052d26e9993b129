package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;

/** The C library read from a memory map, and RocksDB given that answer instead of running its ldd probe. */
class NativeLibrariesTest {

    @Test
    void aGlibcProcessIsNotMuslAndAMuslOneIs(@TempDir Path tmp) throws Exception {
        Path glibc = Files.writeString(tmp.resolve("glibc"), """
                55d0c4a00000-55d0c4a01000 r--p 00000000 fd:01 1053 /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
                7f3a1c000000-7f3a1c028000 r--p 00000000 fd:01 2301 /usr/lib/x86_64-linux-gnu/libc.so.6
                7f3a1c400000-7f3a1c402000 r--p 00000000 fd:01 2290 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
                7ffd2a1f0000-7ffd2a211000 rw-p 00000000 00:00 0 [stack]
                """);
        Path musl = Files.writeString(tmp.resolve("musl"), """
                5581f7a00000-5581f7a01000 r--p 00000000 08:02 1201 /usr/lib/jvm/java-21-openjdk/bin/java
                7f9b6c800000-7f9b6c814000 r--p 00000000 08:02 301 /lib/ld-musl-x86_64.so.1
                """);
        assertEquals(Boolean.FALSE, NativeLibraries.muslIn(glibc));
        assertEquals(Boolean.TRUE, NativeLibraries.muslIn(musl));
    }

    @Test
    void aMapNamingNoCLibraryOrNoMapAtAllLeavesTheQuestionToRocksDb(@TempDir Path tmp) throws Exception {
        Path none = Files.writeString(tmp.resolve("static"), """
                00400000-00401000 r-xp 00000000 fd:01 77 /opt/static-program
                7ffd2a1f0000-7ffd2a211000 rw-p 00000000 00:00 0 [stack]
                """);
        assertNull(NativeLibraries.muslIn(none));
        assertNull(NativeLibraries.muslIn(tmp.resolve("missing")));
    }

    @Test
    void rocksDbHasThisProcesssAnswerBeforeItWouldRunItsProbe() throws Exception {
        Boolean here = NativeLibraries.muslIn(Path.of("/proc/self/maps"));
        assertNotNull(here, "a JVM on Linux maps its C library");
        Field answer = Class.forName("org.rocksdb.util.Environment").getDeclaredField("MUSL_LIBC");
        answer.setAccessible(true);
        answer.set(null, null); // as in a new process: RocksDB's isMuslLibc() would run ldd now
        NativeLibraries.answerMuslProbe();
        assertEquals(here, answer.get(null), "RocksDB's isMuslLibc() finds an answer and runs no probe");
        NativeLibraries.loadRocksDb();
        try (Options o = new Options()) { // the library RocksDB named from that answer is loaded
            assertNotNull(o);
        }
    }
}
