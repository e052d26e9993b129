package cache.distributor.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.distributor.JobListener;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FarmJobsTest {

    private final List<FarmJobs.Row> changes = new ArrayList<>();
    private final FarmJobs jobs = new FarmJobs(Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC), changes::add);

    @Test
    void aJobIsShownFromItsProbeUntilItIsDone() {
        JobListener a = jobs.track(41, "a.c");
        a.phase(JobListener.Phase.PROBE, "n1:1");
        assertEquals(List.of(new FarmJobs.Row(1, 41, "n1:1", -1, "a.c", FarmJobs.Phase.CONNECT,
                Instant.ofEpochSecond(1000))), jobs.snapshot());
        a.phase(JobListener.Phase.BLOCKED, null);
        assertEquals(FarmJobs.Phase.BLOCKED, jobs.snapshot().get(0).phase());
        assertEquals("", jobs.snapshot().get(0).node(), "a blocked job holds no node");
        a.phase(JobListener.Phase.COMPILE, "n2:1");
        assertEquals("n2:1", jobs.snapshot().get(0).node());
        assertEquals(0, jobs.snapshot().get(0).slot());
        a.phase(JobListener.Phase.DONE, null);
        assertEquals(List.of(), jobs.snapshot());
        FarmJobs.Row last = changes.get(changes.size() - 1);
        assertEquals(FarmJobs.Phase.DONE, last.phase());
        assertEquals("n2:1", last.node(), "the observer hears where the job was done");
    }

    @Test
    void slotsAreNumberedPerNodeLowestFreeFirst() {
        JobListener a = jobs.track(1, "a.c");
        JobListener b = jobs.track(2, "b.c");
        JobListener c = jobs.track(3, "c.c");
        JobListener d = jobs.track(4, "d.c");
        a.phase(JobListener.Phase.COMPILE, "n1:1");
        b.phase(JobListener.Phase.COMPILE, "n1:1");
        c.phase(JobListener.Phase.COMPILE, "n2:1");
        assertEquals(Map.of("n1:1", 2, "n2:1", 1), jobs.runningPerNode());
        a.phase(JobListener.Phase.DONE, null);
        d.phase(JobListener.Phase.COMPILE, "n1:1");
        List<FarmJobs.Row> rows = jobs.snapshot();
        assertEquals(List.of("d.c", "b.c", "c.c"), rows.stream().map(FarmJobs.Row::file).toList());
        assertEquals(List.of(0, 1, 0), rows.stream().map(FarmJobs.Row::slot).toList());
    }

    @Test
    void aJobTriedAgainOnAnotherNodeFreesItsFirstSlot() {
        JobListener a = jobs.track(1, "a.c");
        a.phase(JobListener.Phase.COMPILE, "n1:1");
        a.phase(JobListener.Phase.BLOCKED, null);
        a.phase(JobListener.Phase.COMPILE, "n2:1");
        assertEquals(Map.of("n2:1", 1), jobs.runningPerNode());
    }

    @Test
    void aLateCallAfterDoneShowsNothing() {
        JobListener a = jobs.track(1, "a.c");
        a.phase(JobListener.Phase.DONE, null);
        a.phase(JobListener.Phase.DONE, null);
        assertTrue(jobs.snapshot().isEmpty());
        assertTrue(changes.isEmpty(), "a job never shown is never reported: " + changes);
    }
}
