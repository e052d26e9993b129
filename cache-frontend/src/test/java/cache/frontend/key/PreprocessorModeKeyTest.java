package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PreprocessorModeKeyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean marked(String text) {
        return PreprocessorModeKey.startsWithLineMarker(b(text));
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

    /** hash_dir = false leaves gcc's working-directory line out of the hashed text, as in ccache. */
    @Test
    void theWorkingDirectoryLineOfAnotherDirectoryHashesTheSame() {
        String dir1 = "# 0 \"t.c\"\n# 1 \"/w/dir1//\"\n# 0 \"<built-in>\"\nint x;\n";
        String dir2 = "# 0 \"t.c\"\n# 1 \"/w/dir2//\"\n# 0 \"<built-in>\"\nint x;\n";
        String without = "# 0 \"t.c\"\n# 0 \"<built-in>\"\nint x;\n";
        assertEquals(without, new String(PreprocessorModeKey.withoutCwdLine(b(dir1), "/w/dir1"), StandardCharsets.UTF_8));
        assertEquals(without, new String(PreprocessorModeKey.withoutCwdLine(b(dir2), "/w/dir2"), StandardCharsets.UTF_8));
    }

    @Test
    void onlyTheCallsOwnDirectoryLineIsLeftOut() {
        byte[] other = b("# 0 \"t.c\"\n# 1 \"/elsewhere//\"\nint x;\n");
        assertSame(other, PreprocessorModeKey.withoutCwdLine(other, "/w/dir1"), "a line naming another directory stays");
        byte[] text = b("# 0 \"t.c\"\nint x; /* # 1 \"/w/dir1\" */\n");
        assertSame(text, PreprocessorModeKey.withoutCwdLine(text, "/w/dir1"));
    }
}
