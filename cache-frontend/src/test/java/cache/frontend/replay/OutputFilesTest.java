package cache.frontend.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.store.OutputKind;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Outputs written at the caller's paths: replaced atomically, or only stamped when already identical. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OutputFilesTest {

    private static final int UMASK = 022;
    private static final FileTime AN_HOUR_AGO = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);

    @TempDir
    Path dir;

    private static byte[] object(int seed) {
        byte[] b = new byte[100_000]; // more than one compare chunk
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private void write(String name, byte[] data) throws Exception {
        Map<OutputKind, String> paths = new EnumMap<>(Map.of(OutputKind.OBJECT, name));
        OutputFiles.write(dir, paths, new EnumMap<>(Map.of(OutputKind.OBJECT, data)), UMASK, UMASK);
    }

    private static Object inode(Path p) throws Exception {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** An old file with the contents a fresh write gives, made the way the compiler would. */
    private Path existing(String name, byte[] data) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, data);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setLastModifiedTime(p, AN_HOUR_AGO);
        return p;
    }

    @Test
    void anIdenticalOutputIsStampedByTheKernelClockNotReplaced() throws Exception {
        Path out = existing("a.o", object(1));
        Object before = inode(out);
        Path probe = Files.createFile(dir.resolve("written-just-before"));

        write("a.o", object(1));

        assertEquals(before, inode(out), "the same file, stamped");
        assertArrayEquals(object(1), Files.readAllBytes(out));
        assertTrue(Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(probe)) >= 0,
                "stamped no earlier than a file written before it: make sees it newer than its sources");
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file left");
        }
    }

    @Test
    void anOutputWithOtherBytesOfTheSameSizeIsReplaced() throws Exception {
        Path out = existing("a.o", object(1));
        Object before = inode(out);

        write("a.o", object(2));

        assertNotEquals(before, inode(out));
        assertArrayEquals(object(2), Files.readAllBytes(out));
    }

    @Test
    void anOutputWithOtherBytesOnlyInItsLastChunkIsReplaced() throws Exception {
        byte[] changed = object(1);
        changed[changed.length - 1] ^= 1;
        Path out = existing("a.o", object(1));

        write("a.o", changed);

        assertArrayEquals(changed, Files.readAllBytes(out));
    }

    @Test
    void aHardLinkedOutputIsReplacedSoItsOtherNameKeepsItsFile() throws Exception {
        Path out = existing("a.o", object(1));
        Path other = Files.createLink(dir.resolve("other.o"), out);

        write("a.o", object(1));

        assertNotEquals(inode(other), inode(out), "the link is broken, as a rewrite breaks it");
        assertEquals(AN_HOUR_AGO, Files.getLastModifiedTime(other), "the other name is not stamped");
        assertArrayEquals(object(1), Files.readAllBytes(out));
    }

    @Test
    void aSymbolicLinkInTheOutputsPlaceIsReplacedNotWrittenThrough() throws Exception {
        Path target = existing("target.o", object(1));
        Path out = Files.createSymbolicLink(dir.resolve("a.o"), target.getFileName());

        write("a.o", object(1));

        assertTrue(Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS));
        assertEquals(AN_HOUR_AGO, Files.getLastModifiedTime(target), "the link's target is not stamped");
    }

    @Test
    void anOutputWithAnotherModeIsReplacedWithTheCallersMode() throws Exception {
        Path out = existing("a.o", object(1));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        Object before = inode(out);

        write("a.o", object(1));

        assertNotEquals(before, inode(out));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void aNewOutputIsCreatedWithTheCallersMode() throws Exception {
        write("new.o", object(3));

        Path out = dir.resolve("new.o");
        assertArrayEquals(object(3), Files.readAllBytes(out));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }
}
