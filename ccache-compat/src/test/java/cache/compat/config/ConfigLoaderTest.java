package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where configuration comes from and which source wins. Each expectation was first observed
 * with Debian's ccache 4.7.5 (system file substituted in a private mount namespace); the
 * comments name the command.
 */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    Path home;
    Path system;
    Map<String, String> env;
    ConfigLoader loader;

    /** The loader under test: one that stats every file on every load. */
    ConfigLoader newLoader() {
        return new ConfigLoader();
    }

    @BeforeEach
    void setUp() throws Exception {
        loader = newLoader();
        home = Files.createDirectories(dir.resolve("home"));
        system = dir.resolve("etc-ccache.conf");
        env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
    }

    Config load() throws ConfigException {
        return loader.load(env, system, dir);
    }

    static void write(Path p, String content) throws Exception {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void defaultsComeFromTheHomeDirectory() throws Exception {
        Config c = load();
        assertEquals(home + "/.cache/ccache", c.cacheDir());
        assertEquals(home + "/.cache/ccache/tmp", c.temporaryDir());
        assertEquals(home + "/.config/ccache/ccache.conf", c.primaryConfigPath());
        assertEquals(Optional.of(system.toString()), c.systemConfigPath());
        assertEquals(Origin.DEFAULT, c.origin(ConfigKey.CACHE_DIR));
        assertEquals(5_000_000_000L, c.maxSize());
        assertTrue(c.directMode());
        assertEquals(0.8, c.limitMultiple());
        assertEquals(EnumSet.noneOf(Sloppiness.class), c.sloppiness());
        assertTrue(c.umask().isEmpty());
    }

    @Test
    void environmentBeatsCacheSpecificFileBeatsSystemFileBeatsDefault() throws Exception {
        write(system, "max_files = 1\nnamespace = sys\nmax_size = 1G\nstats = false\n");
        write(home.resolve(".config/ccache/ccache.conf"), "max_files = 2\nnamespace = user\n");
        env.put("CCACHE_MAXFILES", "3");
        Config c = load();
        assertEquals(3, c.maxFiles());
        assertEquals(Origin.ENVIRONMENT, c.origin(ConfigKey.MAX_FILES));
        assertEquals("user", c.namespace());
        assertEquals(Origin.file(home + "/.config/ccache/ccache.conf"), c.origin(ConfigKey.NAMESPACE));
        assertEquals(1_000_000_000L, c.maxSize());
        assertEquals(Origin.file(system.toString()), c.origin(ConfigKey.MAX_SIZE));
        assertFalse(c.stats());
        assertEquals(Origin.DEFAULT, c.origin(ConfigKey.COMPILER_CHECK));
    }

    @Test
    void configPathNamesTheOnlyFileAndSkipsTheSystemFile() throws Exception {
        // SYSCONF='max_files = 11\nnamespace = sys' ... CCACHE_CONFIGPATH=/tmp/cx/c.conf ccache -p
        write(system, "namespace = sys\n");
        Path only = dir.resolve("only.conf");
        write(only, "max_files = 7\n");
        env.put("CCACHE_CONFIGPATH", only.toString());
        Config c = load();
        assertEquals("", c.namespace());
        assertEquals(7, c.maxFiles());
        assertEquals(only.toString(), c.primaryConfigPath());
        assertEquals(Optional.empty(), c.systemConfigPath());
    }

    @Test
    void emptyConfigPathReadsNothing() throws Exception {
        // strace: CCACHE_CONFIGPATH= ccache -p opens "" and nothing else
        write(system, "namespace = sys\n");
        write(home.resolve(".config/ccache/ccache.conf"), "namespace = user\n");
        env.put("CCACHE_CONFIGPATH", "");
        assertEquals("", load().namespace());
    }

    @Test
    void ccacheDirLocatesTheCacheSpecificFile() throws Exception {
        Path d = dir.resolve("d");
        write(d.resolve("ccache.conf"), "max_files = 33\n");
        write(home.resolve(".config/ccache/ccache.conf"), "max_files = 2\n");
        env.put("CCACHE_DIR", d.toString());
        Config c = load();
        assertEquals(33, c.maxFiles());
        assertEquals(d.toString(), c.cacheDir());
        assertEquals(Origin.ENVIRONMENT, c.origin(ConfigKey.CACHE_DIR));
        assertEquals(d + "/tmp", c.temporaryDir());
    }

    @Test
    void cacheDirInTheSystemFileLocatesTheCacheSpecificFile() throws Exception {
        // SYSCONF='cache_dir = /tmp/cx/sd' ccache -p: (/tmp/cx/sd/ccache.conf) max_files = 22
        Path sd = dir.resolve("sd");
        write(sd.resolve("ccache.conf"), "max_files = 22\n");
        write(system, "cache_dir = " + sd + "\n");
        Config c = load();
        assertEquals(22, c.maxFiles());
        assertEquals(sd + "/ccache.conf", c.primaryConfigPath());
        assertEquals(Origin.file(system.toString()), c.origin(ConfigKey.CACHE_DIR));
    }

    @Test
    void emptyCcacheDirFallsBackToTheUserFileAndTheDefaultCacheDir() throws Exception {
        // SYSCONF='cache_dir = /tmp/cx/sd' CCACHE_DIR= ccache -p: (environment) cache_dir = ~/.cache/ccache,
        // and /tmp/cx/sd/ccache.conf is not read
        Path sd = dir.resolve("sd");
        write(sd.resolve("ccache.conf"), "max_files = 22\n");
        write(system, "cache_dir = " + sd + "\n");
        env.put("CCACHE_DIR", "");
        Config c = load();
        assertEquals(0, c.maxFiles());
        assertEquals(home + "/.cache/ccache", c.cacheDir());
        assertEquals(Origin.ENVIRONMENT, c.origin(ConfigKey.CACHE_DIR));
        assertEquals(home + "/.config/ccache/ccache.conf", c.primaryConfigPath());
    }

    @Test
    void cacheDirInTheUserFileMovesTheCacheNotTheConfiguration() throws Exception {
        // printf 'cache_dir = /tmp/cx/other' > ~/.config/ccache/ccache.conf; ccache -p:
        // other/ccache.conf (max_files = 55) is not read
        Path other = dir.resolve("other");
        write(other.resolve("ccache.conf"), "max_files = 55\n");
        write(home.resolve(".config/ccache/ccache.conf"), "cache_dir = " + other + "\n");
        Config c = load();
        assertEquals(other.toString(), c.cacheDir());
        assertEquals(0, c.maxFiles());
        assertEquals(other + "/tmp", c.temporaryDir());
    }

    @Test
    void legacyDotCcacheDirectoryWins() throws Exception {
        write(home.resolve(".ccache/ccache.conf"), "max_files = 44\n");
        env.put("XDG_CONFIG_HOME", dir.resolve("xcfg").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("xc").toString());
        Config c = load();
        assertEquals(home + "/.ccache", c.cacheDir());
        assertEquals(44, c.maxFiles());
        assertEquals(home + "/.ccache/tmp", c.temporaryDir());
    }

    @Test
    void legacyDotCcacheMustBeADirectory() throws Exception {
        Files.writeString(home.resolve(".ccache"), "");
        assertEquals(home + "/.cache/ccache", load().cacheDir());
    }

    @Test
    void xdgDirectories() throws Exception {
        Path xcfg = dir.resolve("xcfg");
        write(xcfg.resolve("ccache/ccache.conf"), "max_files = 8\n");
        env.put("XDG_CONFIG_HOME", xcfg.toString());
        env.put("XDG_CACHE_HOME", dir.resolve("xc") + "/");
        Config c = load();
        assertEquals(8, c.maxFiles());
        assertEquals(dir.resolve("xc/ccache").toString(), c.cacheDir());
    }

    @Test
    void emptyXdgCacheHomeGivesARelativeCacheDir() throws Exception {
        // XDG_CACHE_HOME= ccache -p: (default) cache_dir = ccache
        env.put("XDG_CACHE_HOME", "");
        env.put("XDG_CONFIG_HOME", "");
        Config c = load();
        assertEquals("ccache", c.cacheDir());
        assertEquals("ccache/ccache.conf", c.primaryConfigPath());
    }

    @Test
    void runtimeDirectoryHoldsTemporaryFilesWhenItExists() throws Exception {
        Path runtime = Files.createDirectories(dir.resolve("run"));
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        assertEquals(runtime + "/ccache-tmp", load().temporaryDir());
        assertTrue(Files.isDirectory(runtime.resolve("ccache-tmp")));
        env.put("XDG_RUNTIME_DIR", dir.resolve("missing").toString());
        assertEquals(home + "/.cache/ccache/tmp", load().temporaryDir());
    }

    @Test
    void explicitTemporaryDirStaysEvenWhenEmpty() throws Exception {
        // cache_dir = /a/b + temporary_dir = (empty): -p shows temporary_dir empty
        write(home.resolve(".config/ccache/ccache.conf"), "cache_dir = /a/b\ntemporary_dir =\n");
        Config c = load();
        assertEquals("", c.temporaryDir());
        assertEquals("/a/b", c.cacheDir());
    }

    @Test
    void emptyCacheDirInAFileMeansTheDefaultButKeepsTheFileAsOrigin() throws Exception {
        Path conf = home.resolve(".config/ccache/ccache.conf");
        write(conf, "cache_dir =\n");
        Config c = load();
        assertEquals(home + "/.cache/ccache", c.cacheDir());
        assertEquals(Origin.file(conf.toString()), c.origin(ConfigKey.CACHE_DIR));
    }

    @Test
    void laterOfPositiveAndNegatedVariableWins() throws Exception {
        // env -i CCACHE_DEPEND=1 CCACHE_NODEPEND=1 ccache -k depend_mode -> false; reversed -> true
        env.put("CCACHE_DEPEND", "1");
        env.put("CCACHE_NODEPEND", "1");
        assertFalse(load().dependMode());
        env.remove("CCACHE_DEPEND");
        env.put("CCACHE_DEPEND", "1");
        assertTrue(load().dependMode());
    }

    @Test
    void negatedFormOfANonBooleanSetsTheValue() throws Exception {
        // CCACHE_NODIR=1 ccache -k cache_dir -> 1
        env.put("CCACHE_NODIR", "1");
        assertEquals("1", load().cacheDir());
    }

    @Test
    void errorsNameFileAndLine() throws Exception {
        Path conf = home.resolve(".config/ccache/ccache.conf");
        write(conf, "# comment\n\nmax_files = 3\n  direct_mode = maybe\n");
        ConfigException e = assertThrows(ConfigException.class, this::load);
        assertEquals(conf + ":4: not a boolean value: \"maybe\"", e.getMessage());
    }

    @Test
    void missingEqualSign() throws Exception {
        write(system, "max_files = 1\nfoo\n");
        ConfigException e = assertThrows(ConfigException.class, this::load);
        assertEquals(system + ":2: missing equal sign", e.getMessage());
    }

    @Test
    void linesAreCheckedInOrder() throws Exception {
        // 'max_files = x\nfoo' fails on line 1, 'foo\nmax_files = x' on line 2... on line 1
        write(system, "max_files = x\nfoo\n");
        assertEquals(system + ":1: invalid unsigned integer: \"x\"",
                assertThrows(ConfigException.class, this::load).getMessage());
        write(system, "foo\nmax_files = x\n");
        assertEquals(system + ":1: missing equal sign", assertThrows(ConfigException.class, this::load).getMessage());
    }

    @Test
    void systemFileErrorsComeBeforeEnvironmentErrors() throws Exception {
        write(system, "stats = 1\n");
        env.put("CCACHE_MAXFILES", "x");
        assertEquals(system + ":1: not a boolean value: \"1\"",
                assertThrows(ConfigException.class, this::load).getMessage());
    }

    @Test
    void environmentErrorsNameTheVariable() {
        env.put("CCACHE_NODIRECT", "no");
        assertEquals("CCACHE_NODIRECT: invalid boolean environment variable value \"no\""
                + " (did you mean to set \"CCACHE_DIRECT=true\"?)",
                assertThrows(ConfigException.class, this::load).getMessage());
    }

    @Test
    void fileSyntaxDetails() throws Exception {
        // ' = x', '=' and CRLF endings: the first two are skipped, blanks and \r are stripped
        write(system, " = x\r\n=\r\nnamespace = a = b \t\r\n  # max_files = 4\r\nunknown_key = 1\n");
        Config c = load();
        assertEquals("a = b", c.namespace());
        assertEquals(0, c.maxFiles());
    }

    @Test
    void relativePathsAreReadFromTheCallersDirectory() throws Exception {
        write(dir.resolve("rel/ccache.conf"), "max_files = 9\n");
        env.put("CCACHE_DIR", "rel");
        Config c = load();
        assertEquals(9, c.maxFiles());
        assertEquals("rel/ccache.conf", c.primaryConfigPath());
        assertEquals("rel/tmp", c.temporaryDir());
    }

    @Test
    void unchangedFileIsNotReadAgain() throws Exception {
        Path conf = home.resolve(".config/ccache/ccache.conf");
        write(conf, "max_files = 1\n");
        assertEquals(1, load().maxFiles());
        // Same size, same mtime, same inode: the loader trusts its cached parse.
        FileTime mtime = Files.getLastModifiedTime(conf);
        try (FileChannel ch = FileChannel.open(conf, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("max_files = 2\n".getBytes(StandardCharsets.UTF_8)));
        }
        Files.setLastModifiedTime(conf, mtime);
        assertEquals(1, load().maxFiles());
        // A changed mtime is noticed.
        Files.setLastModifiedTime(conf, FileTime.fromMillis(mtime.toMillis() + 1000));
        assertEquals(2, load().maxFiles());
        // So is a changed size, and a file that went away.
        write(conf, "max_files = 30\n");
        assertEquals(30, load().maxFiles());
        Files.delete(conf);
        assertEquals(0, load().maxFiles());
    }

    @Test
    void valuesAreExpandedWithTheCallersEnvironmentEachTime() throws Exception {
        write(system, "namespace = $PROJECT\n");
        env.put("PROJECT", "a");
        assertEquals("a", load().namespace());
        env.put("PROJECT", "b");
        assertEquals("b", load().namespace());
    }
}
