package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.frontend.exec.SupervisedProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The start-up warm-up really runs the hit path (real gcc, the real client as supervisor) and leaves nothing behind. */
@Timeout(120)
class WarmupIT {

    private static final Path CLIENT = Path.of(System.getProperty("cache.dist", "../dist")).toAbsolutePath()
            .normalize().resolve("bin/cache");

    @Test
    void oneCompileThenDirectHitsInAPrivateDirectoryThatIsRemovedAfterwards() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmupDirs(tmp);
        Warmup w = new Warmup(new SupervisedProcessRunner(CLIENT), CLIENT, 022, 50, 60_000_000_000L);
        w.run();
        assertEquals(49, w.hits(), "every call after the first is a hit");
        assertEquals(before, warmupDirs(tmp), "its temporary directory is gone");
    }

    @Test
    void aZeroBudgetCompilesNothingAndLeavesNothing() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = warmupDirs(tmp);
        Warmup w = new Warmup(new SupervisedProcessRunner(CLIENT), CLIENT, 022, 50, 0);
        w.run();
        assertEquals(0, w.hits());
        assertEquals(before, warmupDirs(tmp));
    }

    private static long warmupDirs(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("cache-warmup-")).count();
        }
    }
}
