package cache.distributor.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Health health = Health.withBackoff(Health.DEFAULT_BACKOFF, ticker);
    private final Node a = new Node("a:3632", 2);
    private final Node b = new Node("b:3632", 2);
    private final Node c = new Node("c:3632", 2);

    @Test
    void allNodesAreHealthyAtFirstInTheirGivenOrder() {
        assertEquals(List.of(c, a, b), health.healthy(List.of(c, a, b)));
        assertEquals(Optional.empty(), health.lastFailure(a));
        assertEquals(0, health.consecutiveFailures(a));
    }

    @Test
    void aFailedNodeIsSkippedForTheBackoffPeriodThenTriedAgain() {
        health.failed(b, Failure.CONNECT);
        assertTrue(health.isBackedOff(b));
        assertEquals(List.of(a, c), health.healthy(List.of(a, b, c)));
        ticker.advance(Duration.ofSeconds(59));
        assertEquals(List.of(a, c), health.healthy(List.of(a, b, c)));
        ticker.advance(Duration.ofSeconds(1));
        assertFalse(health.isBackedOff(b));
        assertEquals(List.of(a, b, c), health.healthy(List.of(a, b, c)));
        assertEquals(Optional.of(Failure.CONNECT), health.lastFailure(b), "kept until a success");
    }

    @Test
    void aFailedProbeBacksOffAgainFromTheLatestFailure() {
        health.failed(a, Failure.TIMEOUT);
        ticker.advance(Duration.ofSeconds(60));
        health.failed(a, Failure.PROTOCOL);
        assertTrue(health.isBackedOff(a));
        ticker.advance(Duration.ofSeconds(30));
        assertTrue(health.isBackedOff(a));
        ticker.advance(Duration.ofSeconds(30));
        assertFalse(health.isBackedOff(a));
        assertEquals(Optional.of(Failure.PROTOCOL), health.lastFailure(a));
        assertEquals(2, health.consecutiveFailures(a));
    }

    @Test
    void aSuccessClearsTheRecord() {
        health.failed(a, Failure.CONNECT);
        health.succeeded(a);
        assertFalse(health.isBackedOff(a));
        assertEquals(0, health.consecutiveFailures(a));
        assertEquals(Optional.empty(), health.lastFailure(a));
    }

    @Test
    void nodesAreKnownByIdSoAChangedWeightKeepsTheRecord() {
        health.failed(a, Failure.CONNECT);
        assertTrue(health.isBackedOff(new Node(a.id(), 8)));
    }

    @Test
    void aZeroPeriodDisablesBackoffButFailuresAreStillRecorded() {
        Health noBackoff = Health.withBackoff(Duration.ZERO, ticker);
        noBackoff.failed(a, Failure.CONNECT);
        assertFalse(noBackoff.isBackedOff(a));
        assertEquals(List.of(a, b), noBackoff.healthy(List.of(a, b)));
        assertEquals(1, noBackoff.consecutiveFailures(a));
    }

    @Test
    void theBackoffPeriodIsConfigurable() {
        Health shortBackoff = Health.withBackoff(Duration.ofMillis(1500), ticker);
        shortBackoff.failed(a, Failure.TIMEOUT);
        ticker.advance(Duration.ofMillis(1499));
        assertTrue(shortBackoff.isBackedOff(a));
        ticker.advance(Duration.ofMillis(1));
        assertFalse(shortBackoff.isBackedOff(a));
    }

    @Test
    void aNegativePeriodIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> Health.withBackoff(Duration.ofSeconds(-1), ticker));
    }
}
