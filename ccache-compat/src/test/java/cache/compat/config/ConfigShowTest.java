package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Config#show()} against {@code ccache -p} output captured by {@code capture.sh}. */
class ConfigShowTest {

    @TempDir
    Path dir;

    static String resource(String name) throws IOException {
        try (InputStream in = ConfigShowTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Map<String, String> baseEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", GoldenValuesTest.HOME);
        env.put("FOO", "foo");
        env.put("PATH", "/usr/bin:/bin");
        return env;
    }

    @Test
    void defaults() throws Exception {
        Map<String, String> env = baseEnv();
        env.put("CCACHE_CONFIGPATH", dir.resolve("none.conf").toString());
        Config c = new ConfigLoader().load(env, dir.resolve("no-system.conf"));
        assertEquals(resource("show-defaults.txt"), c.show());
    }

    @Test
    void everyKeySetInAFileSomeOverriddenByTheEnvironment() throws Exception {
        Path file = dir.resolve("ccache.conf");
        Files.writeString(file, resource("show-full.conf"));
        Map<String, String> env = baseEnv();
        env.put("CCACHE_CONFIGPATH", file.toString());
        env.put("CCACHE_NODIRECT", "1");
        env.put("CCACHE_MAXSIZE", "1Gi");
        env.put("CCACHE_SLOPPINESS", "locale");
        env.put("CCACHE_NAMESPACE", "${FOO}-env");
        env.put("CCACHE_CC", "clang");
        Config c = new ConfigLoader().load(env, dir.resolve("no-system.conf"));
        assertEquals(resource("show-full.txt").replace("@FILE@", file.toString()), c.show());
    }
}
