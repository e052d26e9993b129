package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.distributor.monitor.FarmJobs;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MonitorTextTest {

    @Test
    void rowsHaveDistccmonTextsColumnsAndARefreshEndsWithABlankLine() {
        String out = MonitorText.render(List.of(
                new FarmJobs.Row(1, 1234, "127.0.0.2:3632", 1, "src/main.c", FarmJobs.Phase.COMPILE, Instant.EPOCH),
                new FarmJobs.Row(2, 77, "", -1, "b.c", FarmJobs.Phase.BLOCKED, Instant.EPOCH)));
        assertEquals(""
                + "  1234  Compile     src/main.c                               127.0.0.2:3632[1]\n"
                + "    77  Blocked     b.c                                                    [0]\n"
                + "\n", out);
    }

    @Test
    void noJobIsABlankLine() {
        assertEquals("\n", MonitorText.render(List.of()));
    }
}
