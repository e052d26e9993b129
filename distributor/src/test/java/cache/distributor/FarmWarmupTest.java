package cache.distributor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The farm's warm-up runs the farm's whole client side against its in-process nodes: every job
 * answered, hits and compiles both, with no node process; on loopback TCP (the default) most jobs
 * probed on the caller's path, and on in-VM channels with no socket.
 */
@Timeout(60)
class FarmWarmupTest {

    @Test
    void everyJobIsAnsweredByTheInProcessNodesWithHitsAndCompiles() throws Exception {
        FarmWarmup.Report r = FarmWarmup.run(60);
        assertEquals(60, r.jobs());
        assertEquals(60, r.nodeHits() + r.compiled(), "every job answered: " + r);
        assertTrue(r.nodeHits() > 0 && r.compiled() > 0, "hits and compiles both: " + r);
        System.out.println("farm warm-up, 60 jobs: " + r);
        FarmWarmup.Report full = FarmWarmup.run(FarmWarmup.DEFAULT_JOBS);
        assertEquals(FarmWarmup.DEFAULT_JOBS, full.nodeHits() + full.compiled(), full.toString());
        assertTrue(full.callerRounds() > FarmWarmup.DEFAULT_JOBS / 2, "most probe rounds on the caller's path: " + full);
        System.out.println("farm warm-up, then " + FarmWarmup.DEFAULT_JOBS + " jobs: " + full);
        FarmWarmup.Report inVm = FarmWarmup.run(60, true);
        assertEquals(60, inVm.nodeHits() + inVm.compiled(), "every job answered in-VM: " + inVm);
        assertEquals(0, inVm.callerRounds(), "no socket, no caller's path: " + inVm);
    }
}
