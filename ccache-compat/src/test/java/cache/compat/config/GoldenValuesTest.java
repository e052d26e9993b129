package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key, from a file and from the environment, against what the real ccache 4.7.5 printed
 * for the same value ({@code values.tsv}, captured by {@code capture.sh} from
 * {@code values.in}): the value {@code ccache -k} shows, or the error and its location.
 */
class GoldenValuesTest {

    /** The environment capture.sh ran ccache with (HOME does not exist). */
    static final String HOME = "/tmp/cache-golden/home";

    @TempDir
    Path dir;

    static List<Arguments> rows() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = GoldenValuesTest.class.getResourceAsStream("values.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String[] f = line.split("\t", -1);
                rows.add(Arguments.of(f[0], f[1], f[2], f[3], Integer.parseInt(f[4]), f[5]));
            }
        }
        return rows;
    }

    @ParameterizedTest(name = "{0} {1}=\"{3}\" -> {5}")
    @MethodSource("rows")
    void matchesCcache(String source, String name, String key, String value, int exit, String output)
            throws IOException {
        Path file = dir.resolve("ccache.conf");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", HOME);
        env.put("FOO", "foo");
        env.put("PATH", "/usr/bin:/bin");
        if (source.equals("file")) {
            Files.writeString(file, name + " = " + value + "\n");
            env.put("CCACHE_CONFIGPATH", file.toString());
        } else {
            env.put("CCACHE_CONFIGPATH", dir.resolve("none.conf").toString());
            env.put("CCACHE_" + name, value);
        }
        String actual;
        try {
            actual = new ConfigLoader().load(env, dir.resolve("no-system.conf")).get(key);
            assertEquals(0, exit, "ccache refused this value: " + output);
        } catch (ConfigException e) {
            actual = "ccache: error: " + e.getMessage();
            assertEquals(1, exit, "ccache accepted this value");
        }
        assertEquals(output.replace("@FILE@", file.toString()), actual);
    }
}
