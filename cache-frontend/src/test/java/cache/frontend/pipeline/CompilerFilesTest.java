package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import cache.compat.config.CompilerType;
import cache.hashing.FileWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compiler's facts kept while the watch reports no change, and read again after any change of
 * what they came from: the compiler's file, a link on the way, the directory of a link's target.
 * Real inotify on a temporary directory; {@link FileWatch#awaitQueued()} lets the background
 * registration finish, as the next call of a build would find it.
 */
@Timeout(30)
class CompilerFilesTest {

    @TempDir
    Path tmp;

    private FileWatch watch;
    private CompilerFiles files;
    private Path bin;
    private Path gcc;

    @BeforeEach
    void layOut() throws IOException {
        watch = FileWatch.open();
        assertNotNull(watch, "inotify is reachable here");
        files = new CompilerFiles(watch);
        bin = Files.createDirectories(tmp.resolve("usr/bin"));
        Files.writeString(bin.resolve("x86_64-linux-gnu-gcc-12"), "gcc 12");
        Files.writeString(bin.resolve("clang-16"), "clang 16");
        Files.createSymbolicLink(bin.resolve("gcc-12"), Path.of("x86_64-linux-gnu-gcc-12"));
        gcc = Files.createSymbolicLink(bin.resolve("gcc"), Path.of("gcc-12"));
    }

    @AfterEach
    void close() {
        watch.close();
    }

    /** The facts once the first call's paths are watched: from then on kept. */
    private CompilerFiles.Facts settled(Path compiler) throws IOException {
        files.of(compiler, System.nanoTime());
        watch.awaitQueued();
        CompilerFiles.Facts f = files.of(compiler, System.nanoTime());
        assertSame(f, files.of(compiler, System.nanoTime()), "kept while nothing changed");
        return f;
    }

    @Test
    void unchangedFactsAreKeptAndTrueToTheFiles() throws IOException {
        CompilerFiles.Facts f = settled(gcc);
        assertEquals(CompilerType.GCC, f.guess());
        assertEquals(6, f.stat().size());
        assertNull(f.distcc());
    }

    @Test
    void aLinkRetargetedOnTheWayIsSeen() throws IOException {
        CompilerFiles.Facts before = settled(gcc);
        Path link = bin.resolve("gcc-12");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("clang-16"));

        CompilerFiles.Facts after = files.of(gcc, System.nanoTime());
        assertNotSame(before, after);
        assertEquals(CompilerType.CLANG, after.guess());
        assertEquals(8, after.stat().size());
    }

    @Test
    void anUpgradeRenamedOverTheFileIsSeen() throws IOException {
        settled(gcc);
        Path staged = Files.writeString(bin.resolve(".dpkg-new"), "gcc 12.2 upgraded");
        Files.move(staged, bin.resolve("x86_64-linux-gnu-gcc-12"), StandardCopyOption.ATOMIC_MOVE);

        assertEquals(17, files.of(gcc, System.nanoTime()).stat().size());
    }

    @Test
    void aFileWrittenInPlaceIsSeen() throws IOException {
        CompilerFiles.Facts before = settled(gcc);
        Files.writeString(bin.resolve("x86_64-linux-gnu-gcc-12"), "gcc 13");

        CompilerFiles.Facts after = files.of(gcc, System.nanoTime());
        assertNotSame(before, after);
        assertEquals(before.stat().size(), after.stat().size());
        assertEquals(after.stat(), cache.hashing.FileStat.of(gcc), "the stat data as they are now");
    }

    @Test
    void aLinkThatNowLeadsToDistccIsSeen() throws IOException {
        settled(gcc);
        Files.writeString(bin.resolve("distcc"), "distcc");
        Files.delete(bin.resolve("gcc-12"));
        Files.createSymbolicLink(bin.resolve("gcc-12"), Path.of("distcc"));

        assertEquals(bin.resolve("distcc").toRealPath(), files.of(gcc, System.nanoTime()).distcc());
    }

    @Test
    void aRemovedCompilerIsSeen() throws IOException {
        settled(gcc);
        Files.delete(bin.resolve("x86_64-linux-gnu-gcc-12"));

        assertNull(files.of(gcc, System.nanoTime()).stat());
    }

    @Test
    void withoutTheWatchEveryCallReads() throws IOException {
        CompilerFiles plain = new CompilerFiles(null);
        CompilerFiles.Facts f = plain.of(gcc, System.nanoTime());
        assertNotSame(f, plain.of(gcc, System.nanoTime()));
        assertEquals(f, plain.of(gcc, System.nanoTime()));
    }
}
