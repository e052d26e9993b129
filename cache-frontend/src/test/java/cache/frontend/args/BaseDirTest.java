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
    void aSymbolicLinkThatWouldSendDotDotElsewhereKeepsTheAbsolutePath() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/deep/build"));
        Files.createDirectories(tmp.resolve("inc"));
        Path link = Files.createSymbolicLink(tmp.resolve("build"), real);
        // From tmp/build (really tmp/real/deep/build), "../inc" is tmp/real/deep/inc: not tmp/inc.
        assertEquals(List.of("-I" + tmp + "/inc"), BaseDir.rewrite(List.of("-I" + tmp + "/inc"), tmp.toString(), link));
    }
}
