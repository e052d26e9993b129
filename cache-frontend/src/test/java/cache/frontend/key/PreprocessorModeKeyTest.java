package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PreprocessorModeKeyTest {

    private static boolean marked(String text) {
        return PreprocessorModeKey.startsWithLineMarker(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void preprocessedTextThatNamesItsFileOpensWithALineMarker() {
        assertTrue(marked("# 0 \"x.c\"\n# 0 \"<built-in>\"\nint f;\n"), "gcc 12's -E");
        assertTrue(marked("# 1 \"x.c\"\nint f;\n"), "older gcc's -E");
        assertTrue(marked("#line 1 \"x.c\"\nint f;\n"), "#line form");
    }

    @Test
    void textWithoutALeadingMarkerIsNamedByItsInputFile() {
        assertFalse(marked("int f;\n# 1 \"x.c\"\n"), "-P output, marker later");
        assertFalse(marked(""), "empty");
        assertFalse(marked("#define A 1\n"), "a directive");
        assertFalse(marked("# \"x.c\"\n"), "no line number");
        assertFalse(marked("# 12"), "cut short");
    }
}
