package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** hash_dir = false leaves gcc's working-directory line out of the hashed text, as in ccache. */
class PreprocessorModeKeyTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

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
