package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pins the key table to ccache 4.7.5's own list. */
class ConfigKeyTest {

    @Test
    void sameKeysInTheSameOrderAsCcacheShowConfig() throws Exception {
        List<String> ccache = new ArrayList<>();
        for (String line : ConfigShowTest.resource("show-defaults.txt").split("\n")) {
            ccache.add(line.substring(line.indexOf(") ") + 2, line.indexOf(" = ")));
        }
        List<String> ours = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            ours.add(k.key());
        }
        assertEquals(ccache, ours);
    }

    @Test
    void defaultsAsCcachePrintsThem() throws Exception {
        for (String line : ConfigShowTest.resource("show-defaults.txt").split("\n")) {
            String key = line.substring(line.indexOf(") ") + 2, line.indexOf(" = "));
            String value = line.substring(line.indexOf(" = ") + 3);
            ConfigKey k = ConfigKey.forName(key).orElseThrow();
            if (k.defaultText().isPresent()) {
                Config.Builder b = new Config.Builder();
                assertEquals(value, b.build("", null).get(k), key);
            }
        }
    }

    @Test
    void environmentNames() {
        assertEquals("CCACHE_CPP2", ConfigKey.RUN_SECOND_CPP.envVariable());
        assertEquals("CCACHE_ABSSTDERR", ConfigKey.ABSOLUTE_PATHS_IN_STDERR.envVariable());
        assertEquals(List.of("COMPILER", "CC"), ConfigKey.COMPILER.envNames());
        assertEquals(Optional.of(ConfigKey.REMOTE_STORAGE), ConfigKey.forEnvName("SECONDARY_STORAGE"));
        assertEquals(Optional.of(ConfigKey.REMOTE_STORAGE), ConfigKey.forName("secondary_storage"));
        assertEquals(Optional.empty(), ConfigKey.forEnvName("CONFIGPATH"));
        assertTrue(ConfigKey.STATS.hasNegatedForm());
        assertFalse(ConfigKey.MAX_SIZE.hasNegatedForm());
    }

    @Test
    void computedDefaultsAreMarked() {
        assertEquals(Optional.empty(), ConfigKey.CACHE_DIR.defaultText());
        assertEquals(Optional.empty(), ConfigKey.TEMPORARY_DIR.defaultText());
        assertEquals(Optional.of("5G"), ConfigKey.MAX_SIZE.defaultText());
    }
}
