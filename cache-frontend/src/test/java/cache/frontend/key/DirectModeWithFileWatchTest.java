package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every case of {@link DirectModeTest} again, with the headers' and candidates' stat data
 * remembered through inotify ({@link FileWatch}): a header edited, a shadowing header created or
 * removed between two lookups must be seen exactly as with a stat per file. And the watch must
 * really answer: a second lookup of an unchanged tree makes no stat for its headers.
 */
class DirectModeWithFileWatchTest extends DirectModeTest {

    private final List<FileWatch> opened = new ArrayList<>();

    @Override
    DirectMode newDirectMode() {
        FileWatch w = FileWatch.open();
        assertNotNull(w, "surefire runs with the daemon's JVM options: inotify must be reachable");
        opened.add(w);
        return new DirectMode(new FileHashCache(100), new DirectoryListings(), w);
    }

    @AfterEach
    void closeWatches() {
        opened.forEach(FileWatch::close);
    }

    @Test
    void aCandidatePathIsJoinedOnceAndGivenAgainAsTheSameInstanceEvenPastItsBound() {
        DirectMode dm = newDirectMode();
        String a = dm.joined("/usr/include", "stdio.h");
        assertEquals("/usr/include/stdio.h", a);
        org.junit.jupiter.api.Assertions.assertSame(a, dm.joined("/usr/include", "stdio.h"));
        assertEquals("sys/types.h", dm.joined("", "sys/types.h"));
        assertEquals("/x.h", dm.joined("/", "x.h"));
        for (int i = 0; i <= DirectMode.JOINED_MAX; i++) {
            assertEquals("/d/" + i + ".h", dm.joined("/d", i + ".h"));
        }
        assertEquals("/usr/include/stdio.h", dm.joined("/usr/include", "stdio.h"), "dropped whole, joined again");
    }

    @Test
    void aSecondLookupOfAnUnchangedTreeStatsNothingAndAnEditIsStillSeen() throws Exception {
        Files.createDirectories(cwd.resolve("inc"));
        Files.writeString(cwd.resolve("inc/config.h"), "#define A 1\n");
        Files.writeString(cwd.resolve("x.c"), "#include \"config.h\"\n");
        DirectMode dm = newDirectMode();
        FileWatch w = opened.get(opened.size() - 1);
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"inc/config.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {1});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        PreparedManifest m = PreparedManifest.of(Manifest.decode(Manifest.EMPTY.with(r, 8).encode()));
        assertEquals(entry, dm.match(m, cwd));
        w.awaitQueued(); // the first lookup stat'ed; its paths are watched in the background
        assertEquals(entry, dm.match(m, cwd));
        long stats = w.counts()[1];
        assertNotNull(m.matched, "the answer is remembered with the manifest");
        Files.writeString(cwd.resolve("x.o"), "an object written next to the source");
        assertEquals(entry, dm.match(m, cwd));
        assertEquals(stats, w.counts()[1], "nothing relevant changed: no stat");

        Files.writeString(cwd.resolve("inc/config.h"), "#define A 2\n");
        assertNull(dm.match(m, cwd), "the edit is seen");
        w.awaitQueued();
        Files.writeString(cwd.resolve("inc/config.h"), "#define A 1\n");
        assertEquals(entry, dm.match(m, cwd), "and undone");
        w.awaitQueued();
        Files.writeString(cwd.resolve("config.h"), "#define A 3\n");
        assertNull(dm.match(m, cwd), "a header that now shadows it is seen");
        w.awaitQueued();
        Files.delete(cwd.resolve("config.h"));
        assertEquals(entry, dm.match(m, cwd));
        assertTrue(w.counts()[1] > stats, "what changed was stat'ed again");
    }

    /** A header reached through "dir/../": which directory ".." is depends on a link the canonical path hides. */
    @Test
    void aRememberedMatchSeesALinkRetargetedBeforeADotDot() throws Exception {
        for (String v : List.of("a1", "a2")) {
            Files.createDirectories(cwd.resolve(v + "/src"));
            Files.createDirectories(cwd.resolve(v + "/include"));
            Files.writeString(cwd.resolve(v + "/include/x.h"), "int " + v + ";\n");
        }
        Files.createSymbolicLink(cwd.resolve("src"), java.nio.file.Path.of("a1/src"));
        DirectMode dm = newDirectMode();
        FileWatch w = opened.get(opened.size() - 1);
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"src/../include/x.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {3});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        PreparedManifest m = PreparedManifest.of(Manifest.decode(Manifest.EMPTY.with(r, 8).encode()));
        assertEquals(entry, dm.match(m, cwd));
        w.awaitQueued();
        assertEquals(entry, dm.match(m, cwd));
        assertNotNull(m.matched);
        java.nio.file.Path next = Files.createSymbolicLink(cwd.resolve("src.new"), java.nio.file.Path.of("a2/src"));
        Files.move(next, cwd.resolve("src"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertNull(dm.match(m, cwd), "src/.. is a2 now, whose x.h differs");
    }

    @Test
    void aMatchThroughAHeaderWithTheDateIsNotRemembered() throws Exception {
        Files.writeString(cwd.resolve("d.h"), "const char *d = __DATE__;\n");
        DirectMode dm = newDirectMode();
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"d.h\" 1\n# 2 \"x.c\" 2\n".getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {2});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        PreparedManifest m = PreparedManifest.of(Manifest.decode(Manifest.EMPTY.with(r, 8).encode()));
        assertEquals(entry, dm.match(m, cwd));
        opened.get(opened.size() - 1).awaitQueued();
        assertEquals(entry, dm.match(m, cwd));
        assertNull(m.matched, "tomorrow the same file gives another digest");
    }

    /**
     * A manifest never decoded before (fetched from remote storage) is checked against its
     * candidate directories' remembered names, one lookup per directory: a shadowing header
     * created in an earlier include directory after those names were remembered is a miss, its
     * removal a hit again, and a candidate that existed and is removed is a miss.
     */
    @Test
    void aFreshManifestChecksCandidatesPerDirectoryAndSeesAShadowCreatedOrRemoved() throws Exception {
        Files.createDirectories(cwd.resolve("inc"));
        Files.createDirectories(cwd.resolve("q"));
        Files.writeString(cwd.resolve("inc/config.h"), "#define A 1\n");
        Files.writeString(cwd.resolve("inc/other.h"), "#define B 1\n");
        Files.writeString(cwd.resolve("x.c"), "#include \"config.h\"\n#include <other.h>\n");
        Files.writeString(cwd.resolve("q/other.h.gch"), "a precompiled header beside one");
        DirectMode dm = newDirectMode();
        FileWatch w = opened.get(opened.size() - 1);
        byte[] cpp = "# 1 \"x.c\"\n# 1 \"inc/config.h\" 1\n# 2 \"x.c\" 2\n# 1 \"inc/other.h\" 1\n# 3 \"x.c\" 2\n"
                .getBytes(StandardCharsets.UTF_8);
        Digest entry = Digest.of(new byte[] {4});
        Manifest.Result r = dm.record(entry, cpp, SEARCH, cwd, Long.MAX_VALUE, false);
        byte[] stored = Manifest.EMPTY.with(r, 8).encode();
        int candidates = r.headers().stream().mapToInt(h -> h.candidates().size()).sum();
        assertTrue(r.headers().stream().anyMatch(h -> h.candidates().stream().anyMatch(Manifest.Candidate::existed)),
                "q/other.h.gch is a candidate that exists");
        assertEquals(entry, dm.match(PreparedManifest.decode(stored), cwd));
        w.awaitQueued();
        long[] before = w.counts();
        assertEquals(entry, dm.match(PreparedManifest.decode(stored), cwd));
        long[] after = w.counts();
        assertEquals(before[1], after[1], "no stat");
        assertTrue(after[0] - before[0] < candidates,
                "fewer answers than candidates (" + (after[0] - before[0]) + " for " + candidates + "): per directory");

        Files.writeString(cwd.resolve("q/config.h"), "#define A 2\n"); // "config.h" now finds this one
        assertNull(dm.match(PreparedManifest.decode(stored), cwd), "the shadow is seen");
        w.awaitQueued();
        assertNull(dm.match(PreparedManifest.decode(stored), cwd), "and still, answered per name");
        Files.delete(cwd.resolve("q/config.h"));
        assertEquals(entry, dm.match(PreparedManifest.decode(stored), cwd), "its removal is seen");
        w.awaitQueued();
        Files.delete(cwd.resolve("q/other.h.gch"));
        assertNull(dm.match(PreparedManifest.decode(stored), cwd), "a candidate that existed is gone");
    }
}
