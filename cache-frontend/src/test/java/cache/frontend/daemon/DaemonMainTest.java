package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The daemon's command line, as the native client writes it and as a person might mistype it. */
class DaemonMainTest {

    @Test
    void theClientsCommandLineInBothSpellings() throws Exception {
        DaemonMain.Options o = DaemonMain.parse(new String[] {"--socket", "/run/x/d.sock", "--client", "/usr/bin/cache"});
        assertEquals(Path.of("/run/x/d.sock"), o.socket());
        assertEquals(Path.of("/usr/bin/cache"), o.client());
        assertNull(o.idleTimeout());
        DaemonMain.Options p = DaemonMain.parse(new String[] {"--socket=/s", "--idle-timeout=30", "--store-idle-timeout", "7"});
        assertEquals(Path.of("/s"), p.socket());
        assertEquals(30L, p.idleTimeout());
        assertEquals(7L, p.storeIdleTimeout());
    }

    @Test
    void aCommandLineItCannotRunIsRefusedWithItsReasonAndTheUsage() {
        assertTrue(assertThrows(DaemonMain.UsageException.class, () -> DaemonMain.parse(new String[] {"--client", "/c"}))
                .getMessage().contains("--socket"));
        assertTrue(assertThrows(DaemonMain.UsageException.class, () -> DaemonMain.parse(new String[] {"--socket"}))
                .getMessage().contains("Missing required parameter"));
        assertTrue(assertThrows(DaemonMain.UsageException.class,
                () -> DaemonMain.parse(new String[] {"--socket", "/s", "--bogus"})).getMessage().contains("'--bogus'"));
        assertTrue(assertThrows(DaemonMain.UsageException.class,
                () -> DaemonMain.parse(new String[] {"--socket", "/s", "--idle-timeout", "soon"})).getMessage()
                .contains("not a number of seconds"));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DaemonMain.run(new String[] {"--frobnicate"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Unknown option: '--frobnicate'") && text.contains("Usage: cache-daemon"), text);
    }

    @Test
    void helpAndVersionNeedNoSocket() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, DaemonMain.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream())));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--store-idle-timeout"));
        out.reset();
        assertEquals(0, DaemonMain.run(new String[] {"-V"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream())));
        assertTrue(!out.toString(StandardCharsets.UTF_8).isBlank());
    }

}
