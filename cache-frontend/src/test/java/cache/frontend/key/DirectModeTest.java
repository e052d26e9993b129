package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.Sloppiness;
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

    /** The direct mode under test: here stat-based; {@link DirectModeWithFileWatchTest} runs every case with inotify. */
    DirectMode newDirectMode() {
        return new DirectMode(new FileHashCache(100), new DirectoryListings());
    }

    static final SearchPath SEARCH = new SearchPath(List.of("q"), List.of("inc", "/usr/include"), List.of("gone"));

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
        Set<String> c = DirectMode.candidates(new IncludeScanner.Included("inc/config.h", "src/x.c"), SEARCH, Set.of("src"), false);
        // found in -Iinc: the includer's dir, the quote dir and every missing dir come first
        assertTrue(c.containsAll(List.of("src/config.h", "q/config.h", "gone/config.h")), c.toString());
        Set<String> sys = DirectMode.candidates(new IncludeScanner.Included("/usr/include/stdio.h", "x.c"), SEARCH, Set.of(""), false);
        assertTrue(sys.containsAll(List.of("stdio.h", "q/stdio.h", "inc/stdio.h", "gone/stdio.h")), sys.toString());
    }

    @Test
    void everyIncludersDirectoryIsACandidateForEverySpelling() {
        // conf.h was entered from x.c; sub/y.h may have included it too (skipped by its guard).
        Set<String> c = DirectMode.candidates(new IncludeScanner.Included("inc/conf.h", "x.c"), SEARCH,
                new java.util.LinkedHashSet<>(List.of("", "sub", "/usr/include")), false);
        assertTrue(c.containsAll(List.of("conf.h", "sub/conf.h", "sub/inc/conf.h", "/usr/include/conf.h")), c.toString());
        assertTrue(!c.contains("inc/conf.h"), "the header itself is no candidate");
    }

    @Test
    void theImplicitPreincludeIsSearchedInTheBracketChainOnlyUnlessTheCommandLineIncludesFiles() {
        IncludeScanner.Included predef = new IncludeScanner.Included("/usr/include/stdc-predef.h", "<command-line>");
        Set<String> implicit = DirectMode.candidates(predef, SEARCH, Set.of(), false);
        assertTrue(implicit.contains("inc/stdc-predef.h"), implicit.toString());
        assertTrue(!implicit.contains("stdc-predef.h") && !implicit.contains("q/stdc-predef.h"), implicit.toString());
        // with -include, a file from the command line is looked up in the working directory first
        Set<String> explicit = DirectMode.candidates(predef, SEARCH, Set.of(), true);
        assertTrue(explicit.containsAll(List.of("stdc-predef.h", "q/stdc-predef.h", "inc/stdc-predef.h")), explicit.toString());
        assertTrue(DirectMode.commandLineIncludes(List.of("-O2", "-include", "pre.h")));
        assertTrue(DirectMode.commandLineIncludes(List.of("-includepre.h")));
        assertTrue(DirectMode.commandLineIncludes(List.of("--include=pre.h")));
        assertTrue(!DirectMode.commandLineIncludes(List.of("-I", "include", "-iquote", "x")));
    }

    @Test
    void aSourceWithOnlyBracketIncludesLeavesItsDirectoryOut() throws Exception {
        Files.writeString(cwd.resolve("a.c"), "#include <sys.h>\nint a;\n");
        Files.writeString(cwd.resolve("b.c"), "#include \"sys.h\"\nint b;\n");
        Files.createDirectories(cwd.resolve("inc"));
        Files.writeString(cwd.resolve("inc/sys.h"), "int s;\n");
        DirectMode dm = newDirectMode();
        for (String src : List.of("a.c", "b.c")) {
            byte[] cpp = ("# 1 \"" + src + "\"\n# 1 \"<command-line>\"\n# 1 \"/usr/include/stdc-predef.h\" 1 3 4\n"
                    + "# 1 \"" + src + "\"\n# 1 \"inc/sys.h\" 1\n# 2 \"" + src + "\" 2\n").getBytes(StandardCharsets.UTF_8);
            Manifest.Result r = dm.record(Digest.of(new byte[] {1}), cpp, SEARCH, cwd, Long.MAX_VALUE, false);
            Set<String> all = new java.util.HashSet<>();
            r.headers().forEach(h -> h.candidates().forEach(c -> all.add(c.path())));
            String nextToSource = cwd.resolve("stdc-predef.h").toString();
            if (src.equals("a.c")) {
                assertTrue(all.stream().noneMatch(c -> c.equals("sys.h") || c.equals(nextToSource) || c.equals("stdc-predef.h")),
                        all.toString());
            } else {
                assertTrue(all.contains("sys.h"), "a quote include searches next to the source: " + all);
            }
        }
    }

    @Test
    void aGuardSkippedQuoteIncludeKeepsTheQuoteOnlyDirectoriesAsCandidates() throws Exception {
        // x.c (bracket includes only) includes <a.h> then <p.h>; a.h includes <h.h>; p.h has
        // #include "h.h", skipped by h.h's guard, so no line marker shows that it searched q/.
        Files.createDirectories(cwd.resolve("inc"));
        Files.writeString(cwd.resolve("x.c"), "#include <a.h>\n#include <p.h>\n");
        Files.writeString(cwd.resolve("inc/a.h"), "#include <h.h>\n");
        Files.writeString(cwd.resolve("inc/p.h"), "#include \"h.h\"\n");
        Files.writeString(cwd.resolve("inc/h.h"), "#pragma once\nint h;\n");
        DirectMode dm = newDirectMode();
        byte[] cpp = ("# 1 \"x.c\"\n# 1 \"inc/a.h\" 1\n# 1 \"inc/h.h\" 1\n# 2 \"inc/a.h\" 2\n"
                + "# 2 \"x.c\" 2\n# 1 \"inc/p.h\" 1\n# 2 \"x.c\" 2\n").getBytes(StandardCharsets.UTF_8);
        Manifest.Result r = dm.record(Digest.of(new byte[] {1}), cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        Manifest.Header h = r.headers().stream().filter(x -> x.path().equals("inc/h.h")).findFirst().orElseThrow();
        List<String> cands = h.candidates().stream().map(Manifest.Candidate::path).toList();
        assertTrue(cands.contains("q/h.h"), cands.toString());
        assertTrue(!cands.contains("h.h"), "x.c quotes nothing: its directory is not searched " + cands);

        Files.createDirectories(cwd.resolve("q"));
        Manifest m = Manifest.decode(Manifest.EMPTY.with(r, 8).encode());
        assertEquals(r.entryKey(), dm.match(PreparedManifest.of(m), cwd));
        Files.writeString(cwd.resolve("q/h.h"), "int shadow;\n"); // p.h's "h.h" would now find this
        assertNull(dm.match(PreparedManifest.of(m), cwd));
    }

    @Test
    void recordThenMatchThenShadow() throws Exception {
        Files.createDirectories(cwd.resolve("inc"));
        Files.writeString(cwd.resolve("inc/config.h"), "#define A 1\n");
        Files.writeString(cwd.resolve("x.c"), "#include \"config.h\"\n");
        DirectMode dm = newDirectMode();
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"inc/config.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {1});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        Manifest m = Manifest.decode(Manifest.EMPTY.with(r, 8).encode());
        assertEquals(entry, dm.match(PreparedManifest.of(m), cwd));

        Files.writeString(cwd.resolve("config.h"), "#define A 2\n"); // now shadows inc/config.h
        assertNull(dm.match(PreparedManifest.of(m), cwd));
        Files.delete(cwd.resolve("config.h"));
        assertEquals(entry, dm.match(PreparedManifest.of(m), cwd));

        Files.writeString(cwd.resolve("inc/config.h"), "#define A 3\n");
        assertNull(dm.match(PreparedManifest.of(m), cwd));
    }

    @Test
    void tooNewOrTimeMacroFilesAreNotRecorded() throws Exception {
        Files.writeString(cwd.resolve("t.h"), "const char *t = __TIME__;\n");
        DirectMode dm = newDirectMode();
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"t.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        assertNull(dm.record(Digest.of(new byte[0]), cpp, SEARCH, cwd, Long.MAX_VALUE, false));
        Files.writeString(cwd.resolve("t.h"), "int t;\n");
        assertNull(dm.record(Digest.of(new byte[0]), cpp, SEARCH, cwd, 0, false), "modified after the call started");
    }

    /** Issue 16: ccache 4.7 records such headers under its sloppiness settings, and __DATE__ with the date. */
    @Test
    void sloppinessAndDateMacrosDecideWhatIsRecorded() throws Exception {
        DirectMode dm = newDirectMode();
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"t.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        List<IncludeScanner.Included> inc = IncludeScanner.scan(cpp);
        Digest entry = Digest.of(new byte[] {7});
        Path h = Files.writeString(cwd.resolve("t.h"), "const char *t = __TIME__;\n");
        Set<Sloppiness> time = Set.of(Sloppiness.TIME_MACROS);
        Manifest.Result r = dm.record(entry, inc, SEARCH, cwd, Long.MAX_VALUE, false, time);
        assertEquals(entry, dm.match(PreparedManifest.of(Manifest.decode(Manifest.EMPTY.with(r, 8).encode())), cwd, time));

        Files.writeString(h, "const char *d = __DATE__;\n");
        r = dm.record(entry, inc, SEARCH, cwd, Long.MAX_VALUE, false, Set.of());
        PreparedManifest m = PreparedManifest.of(Manifest.decode(Manifest.EMPTY.with(r, 8).encode()));
        assertEquals(entry, dm.match(m, cwd, Set.of()), "today's date is the recorded one");
        assertNotEquals(new FileHashCache(100).hash(h).digest(), r.headers().get(0).digest());
        assertNull(dm.match(m, cwd, time), "recorded with the date: a sloppy lookup compares the bare digest");

        Files.writeString(h, "int n;\n");
        Files.setLastModifiedTime(h, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 86_400_000L));
        long now = System.currentTimeMillis() * 1_000_000L;
        assertNull(dm.record(entry, inc, SEARCH, cwd, now, false, Set.of()), "modified in the future");
        Set<Sloppiness> mtime = Set.of(Sloppiness.INCLUDE_FILE_MTIME);
        assertEquals(entry, dm.record(entry, inc, SEARCH, cwd, now + 60_000_000_000L, false, mtime).entryKey(),
                "include_file_mtime: only the ctime must be older than the call");
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

    /** Candidates are stored as directory and name: every shape of path must come back as it was. */
    @Test
    void candidatePathsOfEveryShapeSurviveEncoding() {
        List<Manifest.Candidate> cands = new java.util.ArrayList<>();
        boolean existed = false;
        for (String p : List.of("a.h", "/x.h", "/", "sub/b.h", "a//b.h", "dir/", "/usr/include/stdio.h", "../up.h",
                "/usr/include/./x.h", "")) {
            cands.add(new Manifest.Candidate(p, existed = !existed));
        }
        Manifest m = Manifest.EMPTY.with(new Manifest.Result(Digest.of(new byte[] {7}),
                List.of(new Manifest.Header("h.h", Digest.of(new byte[] {8}), List.copyOf(cands)))), 32);
        assertEquals(m, Manifest.decode(m.encode()));
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
