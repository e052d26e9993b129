package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksEntryStoreTest extends EntryStoreContract {

    @TempDir
    Path dir;

    private LocalStore local;

    @BeforeEach
    void open() throws Exception {
        local = LocalStore.open(dir, EntryCodec.defaults());
    }

    @AfterEach
    void close() {
        local.close();
    }

    @Override
    EntryStore store() {
        return local.entries();
    }

    @Test
    void entriesAndCountersSurviveReopen() throws Exception {
        local.entries().put(key("p"), entry("persisted"));
        local.counters().add("cache_miss", 2);
        local.counters().addAll(Map.of("cache_miss", 1L, "direct_cache_hit", 5L));
        local.close();
        local = LocalStore.open(dir, EntryCodec.defaults());
        assertEquals(entry("persisted"), local.entries().get(key("p")));
        assertEquals(3L, local.counters().snapshot().get("cache_miss"));
        assertEquals(5L, local.counters().snapshot().get("direct_cache_hit"));
        assertEquals(1, local.entries().entryCount());
    }

    @Test
    void countersGoDownAndSet() {
        local.counters().add("x", 5);
        local.counters().add("x", -2);
        assertEquals(3L, local.counters().snapshot().get("x"));
        local.counters().set("x", 0);
        assertEquals(0L, local.counters().snapshot().get("x"));
    }
}
