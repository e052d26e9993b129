package cache.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileWatch} against the real kernel: every change a stat would see is seen through a
 * new session (the memo is dropped and the answer is the new stat), and what does not concern a
 * remembered path (an object written next to a header) leaves it answered from memory.
 * "From memory" is read off {@link FileWatch#counts()}: answers vs real stats.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileWatchTest {

    @TempDir
    Path tmp;

    private FileWatch watch;

    @BeforeEach
    void open() {
        watch = FileWatch.open();
        assertNotNull(watch, "surefire runs with the daemon's --add-opens/--add-exports: inotify must be reachable");
    }

    @AfterEach
    void close() {
        watch.close();
    }

    /** Real stats made by the last call of {@code s.statOrNull(path)}: 0 when answered from memory. */
    private long statsFor(String path) throws IOException {
        long before = watch.counts()[1];
        watch.session().statOrNull(path);
        watch.awaitQueued();
        return watch.counts()[1] - before;
    }

    /** A lookup of {@code p}, then its background registration awaited (as the next lookup would find it). */
    private FileStat now(Path p) throws IOException {
        return looked(p.toString());
    }

    private FileStat looked(String path) throws IOException {
        FileStat s = watch.session().statOrNull(path);
        watch.awaitQueued();
        return s;
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text);
    }

    @Test
    void anUnchangedFileIsAnsweredFromMemoryWithTheSameStatData() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        FileStat first = now(h);
        assertEquals(FileStat.of(h), first);
        assertEquals(0, statsFor(h.toString()), "second look: from memory");
        assertEquals(first, now(h));
    }

    @Test
    void aCallThatBeganAfterAChangeSeesItThoughAnotherSessionDrainedBeforeTheCall() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        now(h);
        long earlier = System.nanoTime();
        watch.session(earlier).statOrNull(h.toString()); // drains: nothing new
        write(h, "int a; int b;\n");
        long call = System.nanoTime(); // the call begins after the write
        assertEquals(FileStat.of(h), watch.session(call).statOrNull(h.toString()), "drained again: the write is seen");
        assertEquals(FileStat.of(h), watch.session(call).statOrNull(h.toString()), "a later session of the same call");
    }

    @Test
    void aWriteInPlaceIsSeen() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        now(h);
        try (RandomAccessFile f = new RandomAccessFile(h.toFile(), "rw")) {
            f.seek(0);
            f.write('I'); // same size: only the event (or mtime) tells
        }
        assertEquals(1, statsFor(h.toString()), "the write dropped the memo");
        assertEquals(FileStat.of(h), now(h));
    }

    @Test
    void aWriteThroughAHardLinkInAnotherDirectoryIsSeen() throws IOException {
        Path include = Files.createDirectories(tmp.resolve("include"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Path h = include.resolve("a.h");
        write(h, "int a;\n");
        Path link = Files.createLink(other.resolve("alias.h"), h);
        now(h);
        write(link, "int changed_through_the_link;\n");
        assertEquals(1, statsFor(h.toString()));
        assertEquals(FileStat.of(h), now(h));
    }

    @Test
    void aFileRenamedOverTheHeaderIsSeen() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        FileStat before = now(h);
        Path fresh = tmp.resolve("a.h.tmp");
        write(fresh, "int b;\n");
        Files.move(fresh, h, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileStat after = now(h);
        assertEquals(FileStat.of(h), after);
        assertTrue(before.inode() != after.inode());
    }

    @Test
    void aRemovedFileIsAbsentAndACreatedOneIsPresent() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        now(h);
        Files.delete(h);
        assertNull(now(h));
        assertEquals(0, statsFor(h.toString()), "its absence is remembered too");
        write(h, "int a;\n");
        assertNotNull(now(h));
    }

    @Test
    void aShadowingCandidateAppearingInADirectoryThatDidNotExistIsSeen() throws IOException {
        String candidate = tmp.resolve("local/include/sys/a.h").toString();
        assertFalse(watch.session().exists(candidate));
        watch.awaitQueued();
        assertEquals(0, statsFor(candidate));
        Files.createDirectories(tmp.resolve("local/include/sys"));
        assertEquals(1, statsFor(candidate), "creating a directory on the way dropped the memo");
        write(tmp.resolve("local/include/sys/a.h"), "int shadow;\n");
        assertTrue(watch.session().exists(candidate));
    }

    @Test
    void anObjectWrittenNextToAHeaderLeavesTheHeaderAndAnAbsentCandidateRemembered() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        String candidate = tmp.resolve("b.h").toString();
        now(h);
        watch.session().exists(candidate);
        watch.awaitQueued();
        Path tmpObj = tmp.resolve("x.o.tmp");
        write(tmpObj, "object");
        Files.move(tmpObj, tmp.resolve("x.o"), StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, statsFor(h.toString()), "another name in the directory: the header's memo stays");
        assertEquals(0, statsFor(candidate));
    }

    @Test
    void aDirectoryStatIsDroppedByAnyEntryChange() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        FileStat before = now(dir);
        write(dir.resolve("new.o"), "x");
        assertEquals(1, statsFor(dir.toString()), "its mtime changed: its memo must go");
        assertTrue(now(dir).equals(FileStat.of(dir)));
        assertFalse(before.equals(FileStat.of(dir)) && before.mtimeNanos() == FileStat.of(dir).mtimeNanos()
                && before.ctimeNanos() == FileStat.of(dir).ctimeNanos());
    }

    @Test
    void aRetargetedSymbolicLinkOnThePathIsSeen() throws IOException {
        Path v1 = Files.createDirectories(tmp.resolve("v1"));
        Path v2 = Files.createDirectories(tmp.resolve("v2"));
        write(v1.resolve("a.h"), "int one;\n");
        write(v2.resolve("a.h"), "int two, longer;\n");
        Path current = Files.createSymbolicLink(tmp.resolve("current"), Path.of("v1"));
        String viaLink = current.resolve("a.h").toString();
        assertEquals(FileStat.of(v1.resolve("a.h")), looked(viaLink));
        Path next = Files.createSymbolicLink(tmp.resolve("current.new"), Path.of("v2"));
        Files.move(next, current, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(FileStat.of(v2.resolve("a.h")), looked(viaLink));
    }

    /** Walked prefixes are remembered: one that changed must not resolve a path registered after the change. */
    @Test
    void aNewPathUnderARetargetedLinkResolvesThroughTheNewTarget() throws IOException {
        Path v1 = Files.createDirectories(tmp.resolve("v1"));
        Path v2 = Files.createDirectories(tmp.resolve("v2"));
        write(v1.resolve("a.h"), "int a;\n");
        write(v2.resolve("b.h"), "int b;\n");
        Path cur = Files.createSymbolicLink(tmp.resolve("cur"), Path.of("v1"));
        assertNotNull(looked(cur.resolve("a.h").toString()));
        assertNull(looked(cur.resolve("b.h").toString()), "b.h is not in v1");
        Path next = Files.createSymbolicLink(tmp.resolve("cur.new"), Path.of("v2"));
        Files.move(next, cur, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(FileStat.of(v2.resolve("b.h")), looked(cur.resolve("b.h").toString()));
        write(v2.resolve("b.h"), "int b, c, d;\n");
        assertEquals(FileStat.of(v2.resolve("b.h")), looked(cur.resolve("b.h").toString()),
                "and its memo watches v2, not v1");
    }

    @Test
    void aWriteThroughTheLinksTargetIsSeenAtTheLinksPath() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        write(real.resolve("a.h"), "int a;\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        String viaLink = link.resolve("a.h").toString();
        looked(viaLink);
        write(real.resolve("a.h"), "int a, b;\n");
        assertEquals(FileStat.of(real.resolve("a.h")), looked(viaLink));
    }

    @Test
    void aRenamedAncestorDirectoryIsSeen() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("p/q"));
        write(dir.resolve("a.h"), "int a;\n");
        String path = dir.resolve("a.h").toString();
        assertNotNull(looked(path));
        Files.move(tmp.resolve("p"), tmp.resolve("p.old"));
        assertNull(looked(path));
        Files.createDirectories(dir);
        write(dir.resolve("a.h"), "int other;\n");
        assertEquals(FileStat.of(dir.resolve("a.h")), looked(path));
    }

    @Test
    void dotDotComponentsResolveAsTheKernelDoes() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("x/y"));
        Path link = Files.createSymbolicLink(tmp.resolve("l"), real);
        write(tmp.resolve("x/a.h"), "int a;\n"); // l/.. is x, not tmp
        String path = link + "/../a.h";
        assertEquals(FileStat.of(tmp.resolve("x/a.h")), looked(path));
        write(tmp.resolve("x/a.h"), "int a, b, c;\n");
        assertEquals(FileStat.of(tmp.resolve("x/a.h")), looked(path));
    }

    @Test
    void aChangeAfterTheSessionStartedIsSeenByTheNextSession() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        FileStat first = looked(h.toString());
        write(h, "int a, b;\n");
        FileStat next = looked(h.toString());
        assertEquals(FileStat.of(h), next);
        assertFalse(first.equals(next));
    }

    @Test
    void afterARestartEverythingIsWatchedAfresh() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        now(h);
        watch.restart();
        assertEquals(1, statsFor(h.toString()), "forgotten");
        assertEquals(0, statsFor(h.toString()), "and remembered again, through the new instance");
        write(h, "int a, b;\n");
        assertEquals(FileStat.of(h), now(h), "whose watches report changes");
    }

    @Test
    void aPathThatCannotBeWatchedIsNotTriedAgainBehindEveryLookup() throws IOException {
        String relative = "not/absolute.h"; // never watched: only absolute paths are
        looked(relative);
        long tried = watch.attempts();
        assertEquals(1, tried);
        looked(relative);
        looked(relative);
        assertEquals(tried, watch.attempts(), "stat'ed each time, not queued again");
    }

    @Test
    void anOverflowForgetsEverything() throws IOException {
        Path h = tmp.resolve("a.h");
        write(h, "int a;\n");
        now(h);
        watch.event(-1, FileWatch.IN_Q_OVERFLOW, null);
        assertEquals(1, statsFor(h.toString()));
    }

    /** Needs root and a kernel that lets this container mount (CI and this machine); skipped otherwise. */
    @Test
    void aMountOverAWatchedDirectoryIsSeen() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("inc"));
        Path h = dir.resolve("a.h");
        write(h, "int a;\n");
        assertNotNull(now(h));
        assertEquals(0, statsFor(h.toString()));
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "none", dir.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0,
                "this machine does not let us mount");
        try {
            assertNull(now(h), "the tmpfs hides the header; no inotify event says so, the mount table does");
        } finally {
            new ProcessBuilder("umount", dir.toString()).start().waitFor(20, TimeUnit.SECONDS);
        }
        assertEquals(FileStat.of(h), now(h), "and it is back after the umount");
    }

    /** The lists of "/" and "/usr" name every memo below them: stale entries must not pile up nor be swept on every add. */
    @Test
    void aDependentsListDropsStaleMemosAsItGrows() {
        FileWatch.Dependents d = new FileWatch.Dependents();
        for (int i = 0; i < 100_000; i++) {
            FileWatch.Memo m = new FileWatch.Memo("/p" + i);
            d.add(m);
            m.state = 2; // invalidated through another of its dependencies
        }
        assertTrue(d.size() <= 16, "swept as it grew: " + d.size());
    }

    @Test
    void resolutionListsEveryEntryTheWalkPassesThrough() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("r/s"));
        write(real.resolve("a.h"), "x");
        Files.createSymbolicLink(tmp.resolve("ln"), Path.of("r"));
        FileWatch.Resolution r = FileWatch.resolve(tmp.resolve("ln/s/a.h").toString());
        assertEquals(real.resolve("a.h").toString(), r.target());
        assertTrue(r.entries().stream().anyMatch(e -> e[0].equals(tmp.toString()) && e[1].equals("ln")));
        assertTrue(r.entries().stream().anyMatch(e -> e[0].equals(tmp.toString()) && e[1].equals("r")));
        assertTrue(r.entries().stream().anyMatch(e -> e[0].equals(real.toString()) && e[1].equals("a.h")));
    }

    /** {@code dir}'s names through a new session, after letting the background thread list it. */
    private java.util.Set<String> listed(Path dir) {
        watch.session().names(dir.toString());
        watch.awaitQueued();
        return watch.session().names(dir.toString());
    }

    @Test
    void aDirectorysNamesAreRememberedWhileNoNameAppearsInIt() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("inc"));
        write(d.resolve("a.h"), "int a;\n");
        assertNull(watch.session().names(d.toString()), "nothing remembered yet: queued, the caller asks otherwise");
        watch.awaitQueued();
        long stats = watch.counts()[1];
        assertEquals(java.util.Set.of("a.h"), watch.session().names(d.toString()));
        write(d.resolve("a.h"), "int changed;\n");
        Files.delete(d.resolve("a.h"));
        assertEquals(java.util.Set.of("a.h"), watch.session().names(d.toString()),
                "an edit or a removal leaves every absence it answers true: kept");
        assertEquals(stats, watch.counts()[1], "answered from memory");
    }

    @Test
    void aNameCreatedOrMovedIntoAListedDirectoryIsNeverAnsweredAbsent() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("inc"));
        assertEquals(java.util.Set.of(), listed(d));
        write(d.resolve("new.h"), "int n;\n");
        assertNull(watch.session().names(d.toString()), "a name appeared: the old names are dropped");
        watch.awaitQueued();
        assertNull(watch.session().names(d.toString()),
                "names keep appearing here (objects next to sources): asked one by one from now on");

        Path e = Files.createDirectories(tmp.resolve("inc2"));
        write(tmp.resolve("moved.h"), "int m;\n");
        assertEquals(java.util.Set.of(), listed(e));
        Files.move(tmp.resolve("moved.h"), e.resolve("moved.h"));
        assertNull(watch.session().names(e.toString()), "a name moved in: dropped too");
    }

    @Test
    void aMissingDirectoryHasNoNamesUntilItIsCreatedWithSome() throws IOException {
        Path d = tmp.resolve("later/inc");
        assertEquals(java.util.Set.of(), listed(d));
        Files.createDirectories(d);
        write(d.resolve("x.h"), "int x;\n");
        assertNull(watch.session().names(d.toString()), "its parent's entry changed: dropped");
        assertEquals(java.util.Set.of("x.h"), listed(d), "and listed again");
        Path file = tmp.resolve("file");
        write(file, "x");
        assertEquals(java.util.Set.of(), listed(file), "a file: nothing under it resolves (ENOTDIR)");
    }

    @Test
    void aDirectoryReachedThroughALinkOrDotDotIsTheOneTheKernelReachesNow() throws IOException {
        Files.createDirectories(tmp.resolve("a1/sub"));
        Files.createDirectories(tmp.resolve("a2/sub"));
        write(tmp.resolve("a1/x.h"), "x");
        write(tmp.resolve("a2/y.h"), "y");
        Files.createSymbolicLink(tmp.resolve("ln"), Path.of("a1/sub"));
        Path up = tmp.resolve("ln/..");
        assertEquals(java.util.Set.of("sub", "x.h"), listed(up), "ln/.. is a1");
        Path next = Files.createSymbolicLink(tmp.resolve("ln.new"), Path.of("a2/sub"));
        Files.move(next, tmp.resolve("ln"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertNull(watch.session().names(up.toString()), "the link changed: dropped");
        assertEquals(java.util.Set.of("sub", "y.h"), listed(up), "ln/.. is a2 now");

        Path d = Files.createDirectories(tmp.resolve("gone"));
        write(d.resolve("old.h"), "o");
        assertEquals(java.util.Set.of("old.h"), listed(d));
        Files.delete(d.resolve("old.h"));
        Files.delete(d);
        assertNull(watch.session().names(d.toString()), "removed: dropped");
        assertEquals(java.util.Set.of(), listed(d));
    }
}
