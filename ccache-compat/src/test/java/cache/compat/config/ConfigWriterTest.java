package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -o}, {@code -M} and {@code -F} rewrites. The before/after texts are what ccache 4.7.5
 * produced, e.g. {@code CCACHE_DIR=/tmp/cx/d3 ccache -o max_size=7G} on the first file below.
 */
class ConfigWriterTest {

    @TempDir
    Path dir;

    final Map<String, String> env = Map.of("HOME", "/home/u");

    private Path conf(String content) throws Exception {
        Path p = dir.resolve("ccache.conf");
        Files.writeString(p, content);
        return p;
    }

    @Test
    void replacesEveryLineOfTheKeyInPlaceAndKeepsTheRest() throws Exception {
        Path p = conf("# top comment\n  max_size=3G   # trailing?\nfoo = bar\n\nmax_files = 1\nmax_size = 4G\n# end");
        ConfigWriter.setFromArgument(p, "max_size=7G", env);
        assertEquals("# top comment\nmax_size = 7G\nfoo = bar\n\nmax_files = 1\nmax_size = 7G\n# end\n",
                Files.readString(p));
    }

    @Test
    void appendsAKeyThatIsNotThereAndMatchesOnlyTheExactName() throws Exception {
        // secondary_storage is the old name of remote_storage, yet -o remote_storage=b appends
        Path p = conf("secondary_storage = a\r\n#max_files = 1\nmax_files=2");
        ConfigWriter.setFromArgument(p, "remote_storage=b", env);
        assertEquals("secondary_storage = a\r\n#max_files = 1\nmax_files=2\nremote_storage = b\n", Files.readString(p));
        ConfigWriter.setFromArgument(p, "max_files=3", env);
        assertEquals("secondary_storage = a\r\n#max_files = 1\nmax_files = 3\nremote_storage = b\n", Files.readString(p));
    }

    @Test
    void writesTheValueAsGiven() throws Exception {
        Path p = conf("");
        ConfigWriter.setFromArgument(p, "namespace=a b  ", env);
        ConfigWriter.setFromArgument(p, "base_dir=", env);
        ConfigWriter.setFromArgument(p, "cache_dir=$HOME/z", env);
        ConfigWriter.setFromArgument(p, "sloppiness=foo, locale", env);
        assertEquals("namespace = a b  \nbase_dir = \ncache_dir = $HOME/z\nsloppiness = foo, locale\n", Files.readString(p));
    }

    @Test
    void createsTheFileAndItsDirectories() throws Exception {
        Path p = dir.resolve("a/b/ccache.conf");
        assertEquals("Set cache file limit to 1\n", ConfigWriter.setMaxFiles(p, "1", env));
        assertEquals("max_files = 1\n", Files.readString(p));
    }

    @Test
    void refusesWithoutWriting() throws Exception {
        Path p = conf("max_files = 1\n");
        assertError(p, "foo=bar", "unknown configuration option \"foo\"");
        assertError(p, "max_size", "missing equal sign in \"max_size\"");
        assertError(p, "=x", "missing equal sign in \"=x\"");
        assertError(p, "max_size = 5G", "unknown configuration option \"max_size \"");
        assertError(p, "max_size=abc", "invalid size: \"abc\"");
        assertError(p, "max_files=", "invalid unsigned integer: \"\"");
        assertError(p, "base_dir==/x", "not an absolute path: \"=/x\"");
        assertError(p, "direct_mode=yes", "not a boolean value: \"yes\"");
        assertError(p, "namespace=$NOPE", "environment variable \"NOPE\" not set");
        assertEquals("max_files = 1\n", Files.readString(p));
        assertEquals(List.of(p), Files.list(dir).toList());
    }

    private static void assertError(Path p, String arg, String message) {
        Map<String, String> env = Map.of();
        assertEquals(message, assertThrows(ConfigException.class, () -> ConfigWriter.setFromArgument(p, arg, env))
                .getMessage());
    }

    @Test
    void aLineWithoutEqualSignStopsTheRewrite() throws Exception {
        Path p = conf("max_files = 1\nbroken\n");
        assertEquals(p + ":2: missing equal sign",
                assertThrows(ConfigException.class, () -> ConfigWriter.setFromArgument(p, "max_files=2", env)).getMessage());
        assertEquals("max_files = 1\nbroken\n", Files.readString(p));
    }

    @Test
    void maxSizeAndMaxFilesMessages() throws Exception {
        Path p = conf("");
        assertEquals("Set cache size limit to 1.2 GB\n", ConfigWriter.setMaxSize(p, "1.25G", env));
        assertEquals("max_size = 1.25G\n", Files.readString(p));
        assertEquals("Unset cache size limit\n", ConfigWriter.setMaxSize(p, "0", env));
        assertEquals("Set cache size limit to 1.0 MB\n", ConfigWriter.setMaxSize(p, "1M", env));
        assertEquals("Unset cache file limit\n", ConfigWriter.setMaxFiles(p, "0", env));
        assertEquals("Set cache file limit to 5\n", ConfigWriter.setMaxFiles(p, "5", env));
        assertEquals("max_size = 1M\nmax_files = 5\n", Files.readString(p));
        assertEquals("invalid size: \"5m\"",
                assertThrows(ConfigException.class, () -> ConfigWriter.setMaxSize(p, "5m", env)).getMessage());
        assertEquals("invalid unsigned integer: \"-1\"",
                assertThrows(ConfigException.class, () -> ConfigWriter.setMaxFiles(p, "-1", env)).getMessage());
    }

    @Test
    void theRewrittenFileGetsDefaultPermissionsAndNoTemporaryFileStays() throws Exception {
        Path p = conf("max_files = 1\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        ConfigWriter.setFromArgument(p, "max_files=2", env);
        Path fresh = Files.createFile(dir.resolve("fresh"));
        assertEquals(Files.getPosixFilePermissions(fresh), Files.getPosixFilePermissions(p));
        Files.delete(fresh);
        assertEquals(List.of(p), Files.list(dir).toList());
    }

    @Test
    void roundTripThroughTheLoader() throws Exception {
        Path p = conf("# mine\nmax_size = 1G\n");
        ConfigWriter.setFromArgument(p, "max_size=2G", env);
        ConfigWriter.setFromArgument(p, "direct_mode=false", env);
        Config c = new ConfigLoader().load(Map.of("HOME", "/home/u", "CCACHE_CONFIGPATH", p.toString()),
                dir.resolve("none"));
        assertEquals(2_000_000_000L, c.maxSize());
        assertFalse(c.directMode());
        assertEquals(Origin.file(p.toString()), c.origin(ConfigKey.DIRECT_MODE));
    }

    @Test
    void nonUtf8BytesOfOtherLinesSurvive() throws Exception {
        Path p = dir.resolve("ccache.conf");
        byte[] latin1 = "namespace = caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(p, latin1);
        ConfigWriter.setFromArgument(p, "log_file=/tmp/\u00e9.log", env);
        byte[] expected = concat(latin1, "log_file = /tmp/\u00e9.log\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void emptyPathFailsLikeCcache() {
        // CCACHE_CONFIGPATH= ccache -o max_files=3 -> "failed to write to : No such file or directory"
        assertEquals("failed to write to : No such file or directory",
                assertThrows(ConfigException.class, () -> ConfigWriter.setFromArgument(Path.of(""), "max_files=3", env))
                        .getMessage());
    }
}
