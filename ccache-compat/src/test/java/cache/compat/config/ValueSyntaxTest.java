package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parts of the value grammar that {@code values.tsv} does not reach through
 * {@code ccache -k}: the {@code -M} message form of sizes and {@code --evict-older-than}
 * durations. Expected texts are what ccache 4.7.5 printed, e.g.
 * {@code CCACHE_DIR=/tmp/d ccache -M 0.5k} → "Set cache size limit to 0.5 kB".
 */
class ValueSyntaxTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1|1.0 GB", "999|999.0 GB", "1k|1.0 kB", "1500|1500.0 GB", "1M|1.0 MB", "1.25G|1.2 GB",
        "1T|1000.0 GB", "1Gi|1.1 GB", "0.5k|0.5 kB", "0.001k|0.0 kB", "0.002k|0.0 kB"})
    void maxSizeMessages(String arg, String shown) throws Exception {
        assertEquals(shown, ValueSyntax.formatSizeHuman(ValueSyntax.parseSize(arg)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1d|86400", "2s|2", "0s|0", "' 1d'|86400", "10d|864000"})
    void durations(String arg, long seconds) throws Exception {
        assertEquals(seconds, ValueSyntax.parseDuration(arg));
    }

    // ccache --evict-older-than X, 4.7.5
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "10|invalid suffix (supported: d (day) and s (second)): \"10\"",
        "1h|invalid suffix (supported: d (day) and s (second)): \"1h\"",
        "1D|invalid suffix (supported: d (day) and s (second)): \"1D\"",
        "''|invalid suffix (supported: d (day) and s (second)): \"\"",
        "'1d '|invalid suffix (supported: d (day) and s (second)): \"1d \"",
        "d|invalid unsigned integer: \"\"",
        "1.5d|invalid unsigned integer: \"1.5\"",
        "-1d|invalid unsigned integer: \"-1\"",
        "1ds|invalid unsigned integer: \"1d\""})
    void badDurations(String arg, String message) {
        assertEquals(message, assertThrows(ConfigException.class, () -> ValueSyntax.parseDuration(arg)).getMessage());
    }

    @Test
    void cConversionOfHugeDoubles() {
        assertEquals(Long.MIN_VALUE, ValueSyntax.toUint64(Double.NaN));
        assertEquals(0, ValueSyntax.toUint64(Double.POSITIVE_INFINITY));
        assertEquals(0, ValueSyntax.toUint64(1e23));
        assertEquals(-2048, ValueSyntax.toUint64(1.8446744073709550e19)); // 2^64 - 2048
        assertEquals("18446744073.7G", ValueSyntax.formatSizeParsable(-2048));
    }

    @Test
    void expansionUsesTheGivenEnvironment() throws Exception {
        Map<String, String> env = Map.of("A", "1", "B_2", "two");
        assertEquals("1/two/$$}", ValueSyntax.expandEnvironment("$A/${B_2}/$${}", env::get));
        assertEquals("$}", ValueSyntax.expandEnvironment("${}", env::get));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a/./b|/a/b", "/..|/", "/a/b/..|/a", "/a/b/../..|/", "/|/", "//|/", "/a/../../b|/b", "//a//b//|/a/b",
        "a/./b|a/b", "../a|../a", "a/../..|.."})
    void normalisation(String in, String out) {
        assertEquals(out, ValueSyntax.normalizePath(in));
    }
}
