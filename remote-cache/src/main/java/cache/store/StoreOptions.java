package cache.store;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link LocalStore} behaves beyond where its data lives.
 *
 * @param limits when to evict (changeable later with {@link LocalStore#setLimits})
 * @param clock the time recorded as last use (tests pass a fake one)
 * @param cleanupListener told the result of every eviction pass, on the store's maintenance
 *     thread (must be quick; must not call the store's synchronous maintenance methods); the
 *     daemon counts {@code cleanups_performed} here
 */
public record StoreOptions(StoreLimits limits, Clock clock, Consumer<CleanupResult> cleanupListener) {

    public StoreOptions {
        Objects.requireNonNull(limits);
        Objects.requireNonNull(clock);
        Objects.requireNonNull(cleanupListener);
    }

    /** No limits, the system clock, nobody listening. */
    public static StoreOptions defaults() {
        return new StoreOptions(StoreLimits.UNLIMITED, Clock.systemUTC(), result -> { });
    }

    public StoreOptions withLimits(StoreLimits l) {
        return new StoreOptions(l, clock, cleanupListener);
    }

    public StoreOptions withClock(Clock c) {
        return new StoreOptions(limits, c, cleanupListener);
    }

    public StoreOptions withCleanupListener(Consumer<CleanupResult> listener) {
        return new StoreOptions(limits, clock, listener);
    }
}
