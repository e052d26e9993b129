package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct read of the JDK's stat record must agree with the public attribute API everywhere. */
class FileStatTest {

    @TempDir
    Path dir;

    @Test
    void theBuildRunsTestsWithTheFastPathOpen() {
        // surefire passes --add-opens java.base/sun.nio.fs as the daemon's launcher does; if the
        // JDK changed its internals the fast path turns itself off and this says so.
        assertTrue(FileStat.direct(), "FileStat fell back to the attribute map: JDK internals differ");
    }

    @Test
    void sameValuesAsTheAttributeApiForFilesDirectoriesAndLinks() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "int a;\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(1_234_567_890_123L));
        Path d = Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link.h"), f);
        for (Path p : new Path[] {f, d, link, Path.of("/usr/include/stdio.h"), Path.of("/"), dir.relativize(f)}) {
            Path abs = p.isAbsolute() ? p : dir.resolve(p);
            assertEquals(FileStat.viaAttributes(abs), FileStat.of(abs), p.toString());
        }
        FileStat s = FileStat.of(f);
        assertEquals(1_234_567_890_123_000_000L, s.mtimeNanos());
        assertEquals(7, s.size());
        assertFalse(s.directory());
        assertTrue(s.regular());
        assertTrue(FileStat.of(d).directory());
        assertFalse(FileStat.of(d).regular());
        assertFalse(FileStat.of(Path.of("/dev/null")).regular(), "a device");
        assertEquals(FileStat.viaAttributes(Path.of("/dev/null")), FileStat.of(Path.of("/dev/null")));
        assertEquals(FileStat.of(f), FileStat.of(link), "links are followed");
    }

    @Test
    void aFileIsTrustedOnlyWhenBothStampsAreBeforeTheInstant() {
        long t = 1_700_000_000_123_456_789L;
        assertFalse(stamped(t - 1, t - 1).changedSince(t), "both a nanosecond before");
        assertTrue(stamped(t, t - 5).changedSince(t), "mtime at the instant");
        assertTrue(stamped(t - 5, t).changedSince(t), "ctime at the instant (a rename, a chmod, a write)");
        assertTrue(stamped(t + 9, t + 9).changedSince(t), "after it");
    }

    @Test
    void wholeSecondStampsGetTheSpanOfACoarseFileSystem() {
        long second = 1_700_000_000_000_000_000L;
        long t = second + 500_000_000L; // half a second after a whole-second stamp
        assertTrue(stamped(second, second - 3_000_000_001L).changedSince(t),
                "a file system keeping seconds stamps later writes of that second alike");
        assertFalse(stamped(second - 3_000_000_000L, second - 3_000_000_000L).changedSince(t), "older than the span");
        assertFalse(stamped(second + 1, second + 1).changedSince(t), "a nanosecond stamp is exact");
    }

    private static FileStat stamped(long mtime, long ctime) {
        return new FileStat(1, 2, 3, mtime, ctime, false, true);
    }

    @Test
    void missingFilesAndNonDirectoryComponentsAreNullOrNoSuchFile() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "x");
        assertNull(FileStat.ofOrNull(dir.resolve("absent.h")));
        assertNull(FileStat.ofOrNull(f.resolve("below-a-file.h")));
        assertNull(FileStat.ofOrNull(Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"))));
        assertThrows(NoSuchFileException.class, () -> FileStat.of(dir.resolve("absent.h")));
    }

    @Test
    void ctimeMovesOnAWriteThatKeepsSizeAndMtime() throws Exception {
        Path f = Files.writeString(dir.resolve("a.h"), "int a;\n");
        FileStat before = FileStat.of(f);
        Thread.sleep(10);
        FileTime mtime = Files.getLastModifiedTime(f);
        Files.writeString(f, "int b;\n");
        Files.setLastModifiedTime(f, mtime);
        FileStat after = FileStat.of(f);
        assertEquals(before.mtimeNanos(), after.mtimeNanos());
        assertNotEquals(before.ctimeNanos(), after.ctimeNanos());
    }

    @Test
    void permissionDeniedIsAnErrorNotAbsence() throws Exception {
        // root passes every permission check: reported as skipped there, not as passed
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "running as root");
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.writeString(locked.resolve("h.h"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            assertThrows(java.io.IOException.class, () -> FileStat.ofOrNull(locked.resolve("h.h")));
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
