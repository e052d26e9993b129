package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallSettingsTest {

    @Test
    void wordsSplitOnAnyBlanks() {
        assertEquals(List.of("distcc", "-j", "4"), CallSettings.words("  distcc\t-j  4 "));
        assertEquals(List.of(), CallSettings.words("   "));
    }

    @Test
    void ignoreOptionsMatchExactlyOrByPrefixWithAStar() {
        List<String> patterns = CallSettings.words("-Wextra -fmessage-length=*");
        assertTrue(CallSettings.ignored("-Wextra", patterns));
        assertFalse(CallSettings.ignored("-Wextra-semi", patterns));
        assertTrue(CallSettings.ignored("-fmessage-length=0", patterns));
        assertFalse(CallSettings.ignored("-fmessage", patterns));
    }

    @Test
    void prefixIsResolvedOnTheCallersPath() {
        List<String> p = CallSettings.prefix("sh -x", Path.of("/tmp"), Map.of("PATH", "/nonexistent:/bin"));
        assertEquals(List.of("/bin/sh", "-x"), p);
        assertEquals(List.of("/tmp/rel/wrap"), CallSettings.prefix("rel/wrap", Path.of("/tmp"), Map.of()));
        assertEquals(List.of("nowhere-xyz"), CallSettings.prefix("nowhere-xyz", Path.of("/"), Map.of("PATH", "/bin")));
    }
}
