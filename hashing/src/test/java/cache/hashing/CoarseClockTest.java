package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clock that stamps files: every write after a reading is stamped with it or later. The JDK
 * that runs the daemon (25) has the foreign function API; one without it (17) reads nothing and
 * says so, and the callers keep the client's clock. The build runs this test on both where the
 * daemon's JDK is installed (hashing/pom.xml), and the JDK 25 run must read the clock.
 */
class CoarseClockTest {

    @TempDir
    Path dir;

    @Test
    void aWriteAfterAReadingIsNeverStampedBeforeIt() throws Exception {
        if (Runtime.version().feature() < 22) {
            assertFalse(CoarseClock.available());
            assertEquals(-1, CoarseClock.nowNanos());
            return;
        }
        assertTrue(CoarseClock.available());
        Path f = dir.resolve("f");
        for (int i = 0; i < 500; i++) {
            long reading = CoarseClock.nowNanos();
            Files.writeString(f, "x" + i);
            FileStat s = FileStat.of(f);
            assertFalse(s.mtimeNanos() < reading || s.ctimeNanos() < reading, "write " + i + " stamped before " + reading);
        }
        long fine = System.currentTimeMillis() * 1_000_000L;
        long coarse = CoarseClock.nowNanos();
        assertTrue(coarse <= fine + 1_000_000L && coarse > fine - 1_000_000_000L, coarse + " vs " + fine);
    }
}
