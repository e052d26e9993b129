package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cache.compat.Counter;
import cache.distributor.FarmException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BuilderChainTest {

    private static final BuildResult LOCAL = new BuildResult(0, new byte[0], new byte[0], Map.of(), null, null, true,
            "local", null);

    private static Builder failing(Throwable t) {
        return new Builder() {
            @Override
            public String name() {
                return "farm";
            }

            @Override
            public CompletableFuture<BuildResult> build(BuildJob job) {
                return CompletableFuture.failedFuture(t);
            }
        };
    }

    private static Builder local() {
        return new Builder() {
            @Override
            public String name() {
                return "local";
            }

            @Override
            public CompletableFuture<BuildResult> build(BuildJob job) {
                return CompletableFuture.completedFuture(LOCAL);
            }
        };
    }

    private static List<Counter> counted(Builder first) throws Exception {
        List<Counter> counts = new ArrayList<>();
        BuildResult r = new BuilderChain(List.of(first, local())).build(null, counts::add);
        assertEquals(LOCAL, r, "the next builder answers");
        return counts;
    }

    @Test
    void aDeclinedJobCountsKeptLocalAndItsReason() throws Exception {
        assertEquals(List.of(Counter.KEPT_LOCAL, Counter.KEPT_LOCAL_RECACHE),
                counted(failing(new Declined(Counter.KEPT_LOCAL, Counter.KEPT_LOCAL_RECACHE, "recache"))));
    }

    @Test
    void aDeclinedJobWithoutCounterCountsNothing() throws Exception {
        assertEquals(List.of(), counted(failing(new Declined(null, "distribution is off"))));
    }

    @Test
    void aFailureCountsBuilderFailedAndItsReason() throws Exception {
        assertEquals(List.of(Counter.BUILDER_FAILED, Counter.BUILDER_FAILED_TIMEOUT),
                counted(failing(new BuilderFailure(Counter.BUILDER_FAILED_TIMEOUT, "node timed out", null))));
    }

    @Test
    void aFailureWithoutReasonCountsOther() throws Exception {
        assertEquals(List.of(Counter.BUILDER_FAILED, Counter.BUILDER_FAILED_OTHER),
                counted(failing(new IOException("something"))));
    }

    @Test
    void everyFarmReasonHasItsOwnBuilderFailedCounter() {
        EnumSet<Counter> seen = EnumSet.noneOf(Counter.class);
        for (FarmException.Reason r : FarmException.Reason.values()) {
            if (r != FarmException.Reason.UNSUPPORTED) { // kept local, not a failure
                Counter c = FarmBuilder.counterOf(r);
                assertEquals(Counter.Kind.BUILDER_FAILED, c.kind(), r.name());
                seen.add(c);
            }
        }
        assertEquals(FarmException.Reason.values().length - 1, seen.size(), "one counter per reason: " + seen);
    }
}
