package cache.frontend.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseDirTest {

    @TempDir
    Path tmp;

    @Test
    void pathsUnderTheBaseBecomeRelativeInEveryForm() throws Exception {
        Path proj = Files.createDirectories(tmp.resolve("src/proj"));
        Files.createDirectories(proj.resolve("inc"));
        Files.createDirectories(tmp.resolve("src/shared"));
        Files.writeString(proj.resolve("m.c"), "");
        List<String> args = List.of("-c", proj + "/m.c", "-I" + proj + "/inc", "-isystem", tmp + "/src/shared",
                "-o", proj + "/m.o", "-DX=" + proj, "/usr/include/stdio.h");
        List<String> out = BaseDir.rewrite(args, tmp + "/src", proj);
        assertEquals(List.of("-c", "m.c", "-Iinc", "-isystem", "../shared", "-o", "m.o", "-DX=" + proj,
                "/usr/include/stdio.h"), out);
    }

    /** Issue 16: ccache keeps -MT/-MQ as typed; a hit's .d names the typed target. */
    @Test
    void ruleTargetsStayAsTyped() throws Exception {
        Path proj = Files.createDirectories(tmp.resolve("proj"));
        List<String> args = List.of("-c", "m.c", "-MMD", "-MQ", proj + "/foo.o", "-MT" + proj + "/bar.o");
        assertEquals(args, BaseDir.rewrite(args, tmp.toString(), proj));
    }

    @Test
    void noBaseDirChangesNothing() {
        List<String> args = List.of("-c", "/x/m.c");
        assertSame(args, BaseDir.rewrite(args, "", Path.of("/x")));
        assertSame(args, BaseDir.rewrite(args, "relative", Path.of("/x")));
    }

    @Test
    void aSymbolicLinkThatWouldSendDotDotElsewhereIsRelativeToTheRealDirectory() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/deep/build"));
        Files.createDirectories(tmp.resolve("inc"));
        Path link = Files.createSymbolicLink(tmp.resolve("build"), real);
        // From tmp/build (really tmp/real/deep/build), "../inc" is tmp/real/deep/inc: not tmp/inc;
        // ccache 4.7 takes the path relative to the real directory then.
        assertEquals(List.of("-I../../../inc"), BaseDir.rewrite(List.of("-I" + tmp + "/inc"), tmp.toString(), link));
    }

    /** Issue 16 (ccache's suite runs in run -> run.real): apparent and real spellings give one relative path. */
    @Test
    void apparentAndRealSpellingsOfTheTreeGiveTheShortestRelativePath() throws Exception {
        Path realRoot = Files.createDirectories(tmp.resolve("run.real"));
        Path link = Files.createSymbolicLink(tmp.resolve("run"), realRoot);
        Files.createDirectories(realRoot.resolve("dir1/include"));
        Files.writeString(realRoot.resolve("dir1/test.c"), "");
        Path apparent = link.resolve("dir1");
        Path actual = realRoot.resolve("dir1");
        List<String> expected = List.of("-Iinclude", "-c", "test.c", "-o", "test.o");
        // typed with the apparent (PWD) spelling, the cwd known only as the real one (PWD=. or unset)
        assertEquals(expected, BaseDir.rewrite(List.of("-I" + apparent + "/include", "-c", apparent + "/test.c", "-o",
                apparent + "/test.o"), apparent.toString(), actual));
        // typed with the real spelling (pwd -P), the cwd apparent
        assertEquals(expected, BaseDir.rewrite(List.of("-I" + actual + "/include", "-c", actual + "/test.c", "-o",
                actual + "/test.o"), "/", apparent));
    }
}
