package cache.frontend.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StderrPathsTest {

    private static final Map<String, String> FILES = Map.of(
            "m.c", "/src/m.c", "inc/h1.h", "/src/inc/h1.h", "inc/h2.h", "/src/inc/h2.h", "/lnk/m.c", "/src/m.c");

    private static String rewrite(String text) {
        return new String(StderrPaths.absolute(text.getBytes(StandardCharsets.UTF_8), FILES::get),
                StandardCharsets.UTF_8);
    }

    /** gcc 12 -Wall, and what /usr/bin/ccache 4.7.5 with CCACHE_ABSSTDERR printed for it (miss and hit alike). */
    @Test
    void matchesCcacheOnGccDiagnostics() {
        String gcc = """
                m.c: In function ‘m’:
                m.c:2:20: warning: unused variable ‘y’ [-Wunused-variable]
                    2 | int m(int x) { int y; return x; }
                      |                    ^
                In file included from inc/h1.h:1,
                                 from m.c:1:
                inc/h2.h: At top level:
                inc/h2.h:1:12: warning: ‘unused2’ defined but not used [-Wunused-function]
                    1 | static int unused2(void) { return 2; }
                      |            ^~~~~~~
                """;
        String ccache = """
                /src/m.c: In function ‘m’:
                /src/m.c:2:20: warning: unused variable ‘y’ [-Wunused-variable]
                    2 | int m(int x) { int y; return x; }
                      |                    ^
                In file included from /src/inc/h1.h:1,
                                 from m.c:1:
                /src/inc/h2.h: At top level:
                /src/inc/h2.h:1:12: warning: ‘unused2’ defined but not used [-Wunused-function]
                    1 | static int unused2(void) { return 2; }
                      |            ^~~~~~~
                """;
        assertEquals(ccache, rewrite(gcc));
    }

    @Test
    void colourSequencesAtTheStartOfALineAreKept() {
        assertEquals("\u001b[01m\u001b[K/src/m.c:2:20:\u001b[m\u001b[K warning\n",
                rewrite("\u001b[01m\u001b[Km.c:2:20:\u001b[m\u001b[K warning\n"));
        assertEquals("In file included from \u001b[01m\u001b[K/src/inc/h1.h:1\u001b[m\u001b[K,\n",
                rewrite("In file included from \u001b[01m\u001b[Kinc/h1.h:1\u001b[m\u001b[K,\n"));
    }

    @Test
    void linesThatDoNotStartWithAnExistingPathStayAsTheyAre() {
        String text = "gcc: warning: x\ncc1: all warnings being treated as errors\nno colon here\n:5: odd\n\n"
                + "missing.c:1:1: error\n    1 | m.c:3\n";
        assertEquals(text, rewrite(text));
    }

    @Test
    void anAbsolutePathIsResolvedToo() {
        assertEquals("/src/m.c:1:1: note\n", rewrite("/lnk/m.c:1:1: note\n"));
    }

    @Test
    void theLastLineNeedsNoNewlineAndCrLfIsKept() {
        assertEquals("/src/m.c:1:1: a\r\n/src/m.c:2:1: b", rewrite("m.c:1:1: a\r\nm.c:2:1: b"));
        assertEquals("", rewrite(""));
    }

    @Test
    void anEscapeThatStartsNoColourSequenceIsLeftAlone() {
        assertEquals("\u001bXm.c:1: a\n", rewrite("\u001bXm.c:1: a\n"));
        assertEquals("\u001b[1", rewrite("\u001b[1"));
    }

    @Test
    void bytesThatAreNotUtf8PassThrough() {
        byte[] text = {(byte) 0xff, 'x', ':', '1', '\n'};
        assertEquals(new String(text, StandardCharsets.ISO_8859_1), new String(
                StderrPaths.absolute(text, name -> "/never"), StandardCharsets.ISO_8859_1));
    }

    @Test
    void onTheFileSystemNamesAreTakenRelativeToTheCallsDirectoryAndLinksResolved(@TempDir Path dir)
            throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("m.c"), "");
        Path link = Files.createSymbolicLink(dir.resolve("lnk"), src);
        byte[] out = StderrPaths.absolute("m.c:1:1: w\n".getBytes(StandardCharsets.UTF_8), link);
        assertEquals(src.toRealPath() + "/m.c:1:1: w\n", new String(out, StandardCharsets.UTF_8));
    }
}
