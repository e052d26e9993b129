package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CachedMainTest {

    @Test
    void sizesUseCcachesUnits() {
        assertEquals(5_000_000_000L, CachedMain.parseSize("5G"));
        assertEquals(500_000_000L, CachedMain.parseSize("500M"));
        assertEquals(10L << 30, CachedMain.parseSize("10Gi"));
        assertEquals(1536, CachedMain.parseSize("1.5Ki"));
        assertEquals(42, CachedMain.parseSize("42"));
        assertThrows(IllegalArgumentException.class, () -> CachedMain.parseSize("lots"));
        assertThrows(IllegalArgumentException.class, () -> CachedMain.parseSize("-1G"));
    }

    @Test
    void optionsInDistccdSpellingReachTheConfig() throws Exception {
        CachedMain m = new CachedMain();
        new CommandLine(m).parseArgs("-p", "4000", "--listen", "127.0.0.1", "-a", "10.0.0.0/8", "--allow",
                "192.168.1.7", "-j", "3", "--nice", "0", "--job-lifetime", "9", "--stats", "--stats-port", "4001",
                "--cache-dir", "/tmp/x", "--max-size", "1G", "--allow-any-compiler", "--compiler-path", "/a:/b");
        NodeConfig c = m.config();
        assertEquals(4000, c.port());
        assertEquals(List.of("10.0.0.0/8", "192.168.1.7"), c.allow());
        assertEquals(3, c.jobs());
        assertEquals(9, c.jobLifetime().toSeconds());
        assertEquals(4001, c.statsPort());
        assertEquals(1_000_000_000L, c.maxSize());
        assertNull(c.whitelist(), "--allow-any-compiler turns the whitelist off");
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), c.searchPath());
    }

    @Test
    void remoteStorageReachesTheConfig() throws Exception {
        CachedMain m = new CachedMain();
        assertEquals("", m.config().remoteStorage(), "none by default");
        new CommandLine(m).parseArgs("--remote-storage", "redis://pw@r:6379/2 http://h/c|layout=bazel");
        assertEquals("redis://pw@r:6379/2 http://h/c|layout=bazel", m.config().remoteStorage());
    }

    @Test
    void aBadAllowIsRefusedBeforeAnythingStarts() {
        CachedMain m = new CachedMain();
        new CommandLine(m).parseArgs("--allow", "10.0.0.0/40");
        assertThrows(IllegalArgumentException.class, m::config);
        CachedMain n = new CachedMain();
        new CommandLine(n).parseArgs("--allow", "not-an-ip");
        assertThrows(IllegalArgumentException.class, n::config);
    }
}
