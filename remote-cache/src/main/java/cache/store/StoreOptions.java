package cache.store;

import java.time.Clock;
import java.util.Objects;

/**
 * How a {@link LocalStore} behaves beyond where its data lives.
 *
 * @param clock the time recorded as an entry's last use (tests pass a fake one)
 */
public record StoreOptions(Clock clock) {

    public StoreOptions {
        Objects.requireNonNull(clock);
    }

    /** The system clock. */
    public static StoreOptions defaults() {
        return new StoreOptions(Clock.systemUTC());
    }

    public StoreOptions withClock(Clock c) {
        return new StoreOptions(c);
    }
}
