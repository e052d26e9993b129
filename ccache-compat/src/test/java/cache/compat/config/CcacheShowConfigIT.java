package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.RealCcache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Config#show()} and {@link ConfigException} messages against {@code ccache -p} of the
 * real binary on the same files and environment. The system file is substituted with
 * {@code CCACHE_CONFIGPATH2}, the hook ccache's own test suite uses for it.
 */
class CcacheShowConfigIT {

    @TempDir
    Path dir;

    Path home;
    Path system;
    Map<String, String> env;

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        system = dir.resolve("system.conf");
        env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("PATH", "/usr/bin:/bin");
        env.put("FOO", "foo");
    }

    private void assertSameAsCcache() throws Exception {
        Map<String, String> ccacheEnv = new LinkedHashMap<>(env);
        if (!env.containsKey("CCACHE_CONFIGPATH")) {
            ccacheEnv.put("CCACHE_CONFIGPATH2", system.toString());
        }
        RealCcache.Result real = RealCcache.run(ccacheEnv, dir, List.of("-p"));
        String ours;
        int exit;
        try {
            ours = new ConfigLoader().load(env, system, dir).show();
            exit = 0;
        } catch (ConfigException e) {
            ours = "ccache: error: " + e.getMessage() + "\n";
            exit = 1;
        }
        String version = RealCcache.version();
        assertTrue(version.startsWith("ccache version 4.7"), "compare with ccache 4.7, not " + version);
        assertEquals(real.exitCode() == 0 ? real.stdout() : real.stderr(), ours, version);
        assertEquals(real.exitCode(), exit, version);
    }

    @Test
    void nothingConfigured() throws Exception {
        assertSameAsCcache();
    }

    @Test
    void everyKeyFromTheSystemFileSomeFromTheUserFileAndTheEnvironment() throws Exception {
        Files.writeString(system, ConfigShowTest.resource("show-full.conf"));
        Path user = Files.createDirectories(home.resolve(".config/ccache")).resolve("ccache.conf");
        Files.writeString(user, "max_files = 12\nsecondary_storage = file:/x\nsloppiness = modules\n");
        env.put("CCACHE_NOSTATS", "");
        env.put("CCACHE_COMPRESSLEVEL", "19");
        env.put("CCACHE_DIR", dir.resolve("cache").toString()); // moves the user file: this one is not read
        assertSameAsCcache();
        env.remove("CCACHE_DIR");
        assertSameAsCcache();
    }

    @Test
    void systemCacheDirLocatesTheCacheSpecificFile() throws Exception {
        Path sd = Files.createDirectories(dir.resolve("sd"));
        Files.writeString(system, "cache_dir = " + sd + "\nnamespace = sys\n");
        Files.writeString(sd.resolve("ccache.conf"), "namespace = cache-dir\nmax_size = 3Gi\n");
        assertSameAsCcache();
    }

    @Test
    void legacyAndXdgLocations() throws Exception {
        env.put("XDG_CONFIG_HOME", dir.resolve("xcfg").toString());
        env.put("XDG_CACHE_HOME", dir.resolve("xc").toString());
        Files.createDirectories(dir.resolve("xcfg/ccache"));
        Files.writeString(dir.resolve("xcfg/ccache/ccache.conf"), "max_files = 8\n");
        assertSameAsCcache();
        Files.createDirectories(home.resolve(".ccache"));
        Files.writeString(home.resolve(".ccache/ccache.conf"), "max_files = 44\n");
        assertSameAsCcache();
    }

    @Test
    void temporaryDirInTheRuntimeDirectory() throws Exception {
        env.put("XDG_RUNTIME_DIR", Files.createDirectories(dir.resolve("run")).toString());
        assertSameAsCcache();
    }

    @Test
    void errorsInFilesAndTheEnvironment() throws Exception {
        Files.writeString(system, "# c\n\nmax_size = 5m\n");
        assertSameAsCcache();
        Files.writeString(system, "stats\n");
        assertSameAsCcache();
        Files.writeString(system, "");
        env.put("CCACHE_NOHASHDIR", "false");
        assertSameAsCcache();
    }

    @Test
    void laterOfANegatedPairWins() throws Exception {
        env.put("CCACHE_NOREADONLY", "1");
        env.put("CCACHE_READONLY", "1");
        assertSameAsCcache();
    }
}
