package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.compat.RealCcache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConfigWriter} against the real {@code ccache -o/-M/-F} on copies of the same file:
 * the same bytes afterwards, the same message, the same error.
 */
class CcacheSetConfigIT {

    static final String MESSY = "# top\\n  max_size=3G   # x\\nfoo = bar\\n\\nmax_files = 1\\r\\nsecondary_storage = a\\nmax_size = 4G\\n# end";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        MESSY + "|-o|max_size=7G",
        MESSY + "|-o|remote_storage=b",
        MESSY + "|-o|secondary_storage=b",
        MESSY + "|-o|max_files=",
        MESSY + "|-o|namespace=a b  ",
        MESSY + "|-o|=x",
        MESSY + "|-o|nope=1",
        MESSY + "|-o|cache_dir=$HOME/x",
        MESSY + "|-o|log_file=$NOPE",
        MESSY + "|-M|1.25G",
        MESSY + "|-M|0",
        MESSY + "|-M|5m",
        MESSY + "|-F|12",
        MESSY + "|-F|0",
        MESSY + "|-F|x",
        "''|-o|direct_mode=false",
        "'a = 1\\nbroken\\n'|-o|max_files=2",
    })
    void sameFileAndMessageAsCcache(String content, String option, String arg) throws Exception {
        String text = content.replace("\\n", "\n").replace("\\r", "\r");
        Path theirs = dir.resolve("theirs/ccache.conf");
        Path ours = dir.resolve("ours/ccache.conf");
        Files.createDirectories(theirs.getParent());
        Files.createDirectories(ours.getParent());
        if (!text.isEmpty()) {
            Files.writeString(theirs, text);
            Files.writeString(ours, text);
        }
        Map<String, String> env = Map.of("HOME", "/home/u", "PATH", "/usr/bin:/bin", "CCACHE_CONFIGPATH", theirs.toString());
        RealCcache.Result real = RealCcache.run(env, dir, List.of(option, arg));

        String out = "";
        String err = "";
        int exit = 0;
        try {
            switch (option) {
                case "-o" -> ConfigWriter.setFromArgument(ours, arg, env);
                case "-M" -> out = ConfigWriter.setMaxSize(ours, arg, env);
                default -> out = ConfigWriter.setMaxFiles(ours, arg, env);
            }
        } catch (ConfigException e) {
            // ccache checks the existing file when it loads its configuration, before any option
            err = "ccache: error: " + e.getMessage().replace(ours.toString(), theirs.toString()) + "\n";
            exit = 1;
        }
        assertEquals(real.stderr(), err);
        assertEquals(real.stdout(), out);
        assertEquals(real.exitCode(), exit);
        assertEquals(Files.exists(theirs), Files.exists(ours));
        if (Files.exists(theirs)) {
            assertEquals(HexFormat.of().formatHex(Files.readAllBytes(theirs)), HexFormat.of().formatHex(Files.readAllBytes(ours)));
        }
    }
}
