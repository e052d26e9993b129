package cache.store;

import java.util.Map;

/**
 * Named 64-bit counters that survive restarts. Additions are atomic and commutative, so many
 * threads (or a crash between two calls) never lose or double an increment that returned.
 */
public interface CounterStore {

    void add(String name, long delta);

    /** Adds several counters in one atomic write. */
    void addAll(Map<String, Long> deltas);

    void set(String name, long value);

    /** Every counter that was ever written, by name. */
    Map<String, Long> snapshot();
}
