package cache.frontend.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class DependencyPathsTest {

    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void prerequisitesUnderTheBaseBecomeRelativeAndTargetsStayAsWritten() throws Exception {
        Path dir1 = Files.createDirectories(tmp.resolve("w/dir1"));
        Files.createDirectories(dir1.resolve("include"));
        Files.writeString(dir1.resolve("include/test.h"), "");
        Files.createDirectories(tmp.resolve("w/other"));
        Files.writeString(tmp.resolve("w/other/o.h"), "");
        String w = tmp.resolve("w").toString();
        byte[] dep = b(dir1 + "/test.o: src/test.c " + dir1 + "/include/test.h \\\n " + w + "/other/o.h\n"
                + dir1 + "/include/test.h:\n");
        String out = new String(DependencyPaths.relativeToCwd(dep, w, dir1), StandardCharsets.UTF_8);
        assertEquals(dir1 + "/test.o: src/test.c include/test.h \\\n ../other/o.h\ninclude/test.h:\n", out);
    }

    @Test
    void aFileWithNothingUnderTheBaseIsReturnedAsIs() {
        byte[] dep = b("t.o: t.c /usr/include/stdio.h\n");
        assertSame(dep, DependencyPaths.relativeToCwd(dep, "/home/u/proj", tmp));
        assertSame(dep, DependencyPaths.relativeToCwd(dep, "", tmp));
    }

    @Test
    void baseDirSlashRewritesSystemHeadersRelativeToTheCwd() throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("a/b"));
        byte[] dep = b("t.o: t.c /usr/include/stdc-predef.h\n");
        String rel = cwd.relativize(Path.of("/usr/include/stdc-predef.h")).toString();
        assertEquals("t.o: t.c " + rel + "\n",
                new String(DependencyPaths.relativeToCwd(dep, "/", cwd), StandardCharsets.UTF_8));
    }
}
