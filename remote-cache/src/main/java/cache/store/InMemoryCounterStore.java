package cache.store;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Counters in memory: the reference implementation for tests. */
public final class InMemoryCounterStore implements CounterStore {

    private final Map<String, Long> values = new ConcurrentHashMap<>();

    @Override
    public void add(String name, long delta) {
        values.merge(name, delta, Long::sum);
    }

    @Override
    public synchronized void addAll(Map<String, Long> deltas) {
        deltas.forEach(this::add);
    }

    @Override
    public void set(String name, long value) {
        values.put(name, value);
    }

    @Override
    public Map<String, Long> snapshot() {
        return new TreeMap<>(values);
    }
}
