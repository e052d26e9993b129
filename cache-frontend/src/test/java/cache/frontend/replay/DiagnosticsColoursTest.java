package cache.frontend.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DiagnosticsColoursTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void gccColouredWarningLosesItsSequencesOnly() {
        String coloured = "\u001b[01m\u001b[Kw.c:\u001b[m\u001b[K In function '\u001b[01m\u001b[Kf\u001b[m\u001b[K':\n"
                + "\u001b[01m\u001b[Kw.c:2:20:\u001b[m\u001b[K \u001b[01;35m\u001b[Kwarning: \u001b[m\u001b[Kunused\n";
        assertArrayEquals(b("w.c: In function 'f':\nw.c:2:20: warning: unused\n"),
                DiagnosticsColours.strip(b(coloured)));
    }

    @Test
    void textWithoutSequencesIsReturnedAsIs() {
        byte[] plain = b("w.c:1:1: error: x\n");
        assertSame(plain, DiagnosticsColours.strip(plain));
    }

    @Test
    void anEscapeThatStartsNoColourSequenceIsKept() {
        assertArrayEquals(b("a\u001b]8;;x\u001b\\b\u001b[2Jc"), DiagnosticsColours.strip(b("a\u001b]8;;x\u001b\\b\u001b[2Jc\u001b[m")));
        assertArrayEquals(b("tail\u001b["), DiagnosticsColours.strip(b("\u001b[1mtail\u001b[")));
    }
}
