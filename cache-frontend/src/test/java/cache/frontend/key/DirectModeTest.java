package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectModeTest {

    @TempDir
    Path cwd;

    private static final SearchPath SEARCH = new SearchPath(List.of("q"), List.of("inc", "/usr/include"), List.of("gone"));

    @Test
    void searchPathParsesGccVerboseOutput() {
        String v = """
                ignoring nonexistent directory "gone"
                ignoring nonexistent directory "/usr/local/include/x86_64-linux-gnu"
                #include "..." search starts here:
                 q
                #include <...> search starts here:
                 inc
                 /usr/lib/gcc/x86_64-linux-gnu/12/include
                 /usr/include
                End of search list.
                """;
        SearchPath sp = SearchPath.parse(v.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("q"), sp.quoteOnly());
        assertEquals(List.of("inc", "/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/include"), sp.bracket());
        assertEquals(List.of("gone", "/usr/local/include/x86_64-linux-gnu"), sp.missing());
    }

    @Test
    void candidatesCoverEveryEarlierDirectory() {
        Set<String> c = DirectMode.candidates(new IncludeScanner.Included("inc/config.h", "src/x.c"), SEARCH, Set.of("src"));
        // found in -Iinc: the includer's dir, the quote dir and every missing dir come first
        assertTrue(c.containsAll(List.of("src/config.h", "q/config.h", "gone/config.h")), c.toString());
        Set<String> sys = DirectMode.candidates(new IncludeScanner.Included("/usr/include/stdio.h", "x.c"), SEARCH, Set.of(""));
        assertTrue(sys.containsAll(List.of("stdio.h", "q/stdio.h", "inc/stdio.h", "gone/stdio.h")), sys.toString());
    }

    @Test
    void everyIncludersDirectoryIsACandidateForEverySpelling() {
        // conf.h was entered from x.c; sub/y.h may have included it too (skipped by its guard).
        Set<String> c = DirectMode.candidates(new IncludeScanner.Included("inc/conf.h", "x.c"), SEARCH,
                new java.util.LinkedHashSet<>(List.of("", "sub", "/usr/include")));
        assertTrue(c.containsAll(List.of("conf.h", "sub/conf.h", "sub/inc/conf.h", "/usr/include/conf.h")), c.toString());
        assertTrue(!c.contains("inc/conf.h"), "the header itself is no candidate");
    }

    @Test
    void recordThenMatchThenShadow() throws Exception {
        Files.createDirectories(cwd.resolve("inc"));
        Files.writeString(cwd.resolve("inc/config.h"), "#define A 1\n");
        Files.writeString(cwd.resolve("x.c"), "#include \"config.h\"\n");
        DirectMode dm = new DirectMode(new FileHashCache(100), new DirectoryListings());
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"inc/config.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {1});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE);
        Manifest m = Manifest.decode(Manifest.EMPTY.with(r, 8).encode());
        assertEquals(entry, dm.match(new PreparedManifest(m), cwd));

        Files.writeString(cwd.resolve("config.h"), "#define A 2\n"); // now shadows inc/config.h
        assertNull(dm.match(new PreparedManifest(m), cwd));
        Files.delete(cwd.resolve("config.h"));
        assertEquals(entry, dm.match(new PreparedManifest(m), cwd));

        Files.writeString(cwd.resolve("inc/config.h"), "#define A 3\n");
        assertNull(dm.match(new PreparedManifest(m), cwd));
    }

    @Test
    void tooNewOrTimeMacroFilesAreNotRecorded() throws Exception {
        Files.writeString(cwd.resolve("t.h"), "const char *t = __TIME__;\n");
        DirectMode dm = new DirectMode(new FileHashCache(100), new DirectoryListings());
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"t.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        assertNull(dm.record(Digest.of(new byte[0]), cpp, SEARCH, cwd, Long.MAX_VALUE));
        Files.writeString(cwd.resolve("t.h"), "int t;\n");
        assertNull(dm.record(Digest.of(new byte[0]), cpp, SEARCH, cwd, 0), "modified after the call started");
    }

    @Test
    void manifestKeepsNewestResultsAndSurvivesGarbage() {
        Manifest m = Manifest.EMPTY;
        for (int i = 0; i < 40; i++) {
            m = m.with(new Manifest.Result(Digest.of(new byte[] {(byte) i}),
                    List.of(new Manifest.Header("h" + i, Digest.of(new byte[] {(byte) i}), List.of()))), 32);
        }
        Manifest back = Manifest.decode(m.encode());
        assertEquals(32, back.results().size());
        assertEquals(m, back);
        assertEquals(Manifest.EMPTY, Manifest.decode(new byte[] {1, 0, 0, 0, 9, 1, 2}));
        assertEquals(Manifest.EMPTY, Manifest.decode(null));
    }

    @Test
    void aResultForTheSameEntryUnderOtherFileStatesIsKept() {
        Digest entry = Digest.of(new byte[] {7});
        Manifest.Header plain = new Manifest.Header("a.h", entry, List.of(new Manifest.Candidate("shadow/a.h", false)));
        Manifest.Header shadowed = new Manifest.Header("a.h", entry, List.of(new Manifest.Candidate("shadow/a.h", true)));
        Manifest m = Manifest.EMPTY.with(new Manifest.Result(entry, List.of(plain)), 32)
                .with(new Manifest.Result(entry, List.of(shadowed)), 32);
        assertEquals(2, m.results().size(), "both file states answer directly");
        assertEquals(2, m.with(new Manifest.Result(entry, List.of(plain)), 32).results().size(),
                "the same states again replace their old result");
    }
}
