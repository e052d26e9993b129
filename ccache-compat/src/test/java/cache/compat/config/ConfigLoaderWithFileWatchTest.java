package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import cache.hashing.FileWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@link ConfigLoaderTest} case again with the daemon's {@link FileWatch}: after each load
 * the paths it read are watched ({@link FileWatch#awaitQueued()}), so later loads take their stat
 * data from memory, and must still see every change.
 */
@Timeout(60)
class ConfigLoaderWithFileWatchTest extends ConfigLoaderTest {

    private FileWatch watch;

    @Override
    ConfigLoader newLoader() {
        watch = FileWatch.open();
        assertNotNull(watch, "inotify is reachable here");
        return new ConfigLoader(watch);
    }

    @AfterEach
    void closeWatch() {
        watch.close();
    }

    @Override
    Config load() throws ConfigException {
        Config c = super.load();
        watch.awaitQueued();
        return c;
    }

    @Test
    void anEditOfTheSameSizeIsSeenFromMemory() throws Exception {
        Path conf = home.resolve(".config/ccache/ccache.conf");
        write(conf, "max_files = 1\n");
        assertEquals(1, load().maxFiles());
        long stats = watch.counts()[1];
        assertEquals(1, load().maxFiles());
        assertEquals(stats, watch.counts()[1], "the second load made no stat: every answer from memory");
        Files.writeString(conf, "max_files = 2\n");
        Files.setLastModifiedTime(conf, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(conf).toMillis() + 5_000));
        assertEquals(2, load().maxFiles());
    }

    @Test
    void aFileThatAppearsIsRead() throws Exception {
        assertEquals(0, load().maxFiles());
        assertEquals(0, load().maxFiles()); // its absence from memory
        write(home.resolve(".config/ccache/ccache.conf"), "max_files = 7\n");
        assertEquals(7, load().maxFiles());
    }

    @Test
    void aTemporaryDirectoryReplacedByAFileIsNoLongerUsed() throws Exception {
        Path runtime = Files.createDirectories(dir.resolve("run"));
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        assertEquals(runtime + "/ccache-tmp", load().temporaryDir());
        assertEquals(runtime + "/ccache-tmp", load().temporaryDir()); // remembered writable
        Files.delete(runtime.resolve("ccache-tmp"));
        Files.writeString(runtime.resolve("ccache-tmp"), "not a directory");
        assertEquals(home + "/.cache/ccache/tmp", load().temporaryDir());
    }

    @Test
    void theLegacyDirectoryCreatedLaterIsSeen() throws Exception {
        assertEquals(home + "/.cache/ccache", load().cacheDir());
        assertEquals(home + "/.cache/ccache", load().cacheDir());
        Files.createDirectories(home.resolve(".ccache"));
        assertEquals(home + "/.ccache", load().cacheDir());
    }
}
