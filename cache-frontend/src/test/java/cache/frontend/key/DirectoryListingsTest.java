package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DirectoryListingsTest {

    @TempDir
    Path dir;

    private final DirectoryListings listings = new DirectoryListings();

    private boolean exists(Path p) {
        return listings.snapshot().exists(p.toString());
    }

    @Test
    void aFileInADirectoryThatAppearsLaterIsSeen() throws Exception {
        Path deep = dir.resolve("a/b/c/x.h");
        assertFalse(exists(deep));
        Files.createDirectories(deep.getParent());
        assertFalse(exists(deep));
        Files.writeString(deep, "");
        assertTrue(exists(deep));
        Files.delete(deep);
        assertFalse(exists(deep));
    }

    @Test
    void aDirectoryReplacedByAFileOrALinkIsFollowed() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Files.writeString(real.resolve("x.h"), "");
        Path link = dir.resolve("link");
        assertFalse(exists(link.resolve("x.h")));
        Files.createSymbolicLink(link, real);
        assertTrue(exists(link.resolve("x.h")), "a name under a symlinked directory exists");
        Files.delete(link);
        Files.writeString(link, "not a directory");
        assertFalse(exists(link.resolve("x.h")));
    }

    @Test
    void dotDotAndDotComponentsAreResolvedByTheKernel() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("top.h"), "");
        assertTrue(listings.snapshot().exists(sub + "/../top.h"));
        assertTrue(listings.snapshot().exists(sub + "/./../top.h"));
        assertFalse(listings.snapshot().exists(sub + "/../nothere.h"));
    }

    @Test
    void dotDotAfterASymbolicLinkLeavesTheLinksTarget() throws Exception {
        Path deep = Files.createDirectories(dir.resolve("real/sub"));
        Files.createSymbolicLink(dir.resolve("link"), deep);
        Files.writeString(dir.resolve("real/x.h"), "");
        // The kernel resolves link/.. to real, not to dir: dir/x.h does not exist, real/x.h does.
        assertTrue(listings.snapshot().exists(dir + "/link/../x.h"));
        assertFalse(exists(dir.resolve("x.h")));
        assertFalse(listings.snapshot().exists(dir + "/missing/../x.h"), "a missing directory before .. resolves nothing");
        assertFalse(listings.snapshot().exists(dir + "/link/../nothere/y.h"));
    }

    @Test
    void lastDotDotFindsWholeComponentsOnly() {
        org.junit.jupiter.api.Assertions.assertEquals(-1, DirectoryListings.lastDotDot("/a/..b/c"));
        org.junit.jupiter.api.Assertions.assertEquals(2, DirectoryListings.lastDotDot("/a/../b/c"));
        org.junit.jupiter.api.Assertions.assertEquals(7, DirectoryListings.lastDotDot("/a/../b/.."));
    }

    @Test
    void aLargeDirectoryThatKeepsChangingIsCheckedNameByName() throws Exception {
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i <= DirectoryListings.LARGE; i++) {
            Files.writeString(big.resolve("f" + i + ".c"), "");
        }
        assertFalse(exists(big.resolve("x.h")));
        for (int round = 0; round < 3; round++) {
            Files.writeString(big.resolve("obj" + round + ".o"), ""); // the directory changes on every call
            assertTrue(exists(big.resolve("obj" + round + ".o")));
            assertFalse(exists(big.resolve("x.h")));
        }
        Files.writeString(big.resolve("x.h"), "");
        assertTrue(exists(big.resolve("x.h")));
        assertTrue(exists(big.resolve("x.h")), "seen unchanged, it is listed again and still right");
        Files.delete(big.resolve("x.h"));
        assertFalse(exists(big.resolve("x.h")));
    }

    @Test
    void oneSnapshotAnswersFromWhatItHasSeen() throws Exception {
        DirectoryListings.Snapshot s = listings.snapshot();
        Path f = dir.resolve("late.h");
        assertFalse(s.exists(f.toString()));
        Files.writeString(f, "");
        assertFalse(s.exists(f.toString()), "a snapshot is one consistent view for one lookup");
        assertTrue(exists(f));
    }
}
