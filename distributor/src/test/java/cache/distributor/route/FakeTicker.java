package cache.distributor.route;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond time source that moves only when a test advances it. */
final class FakeTicker implements LongSupplier {

    private long nanos;

    /** Starts near overflow so that code comparing absolute values rather than differences fails. */
    FakeTicker() {
        this.nanos = Long.MAX_VALUE - Duration.ofSeconds(90).toNanos();
    }

    void advance(Duration by) {
        nanos += by.toNanos();
    }

    @Override
    public long getAsLong() {
        return nanos;
    }
}
