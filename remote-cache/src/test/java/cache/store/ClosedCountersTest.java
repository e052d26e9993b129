package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counting that comes after its store closed (a remote storage write finishing in the background
 * counts itself into the store of the call that queued it) is refused with a {@link
 * StoreException}, which the daemon's counting catches, instead of reaching RocksDB's freed
 * handles: a CI run's JVM died of exactly that (SIGSEGV in {@code WriteBatch::Merge}).
 */
@Timeout(30)
class ClosedCountersTest {

    @TempDir
    Path dir;

    @Test
    void countingIntoAClosedStoreIsRefusedNotACrash() throws Exception {
        LocalStore store = LocalStore.open(dir, EntryCodec.defaults());
        CounterStore counters = store.counters();
        counters.add("remote_storage_write", 1);
        assertEquals(1L, counters.snapshot().get("remote_storage_write"), "counted while open");
        store.close();

        assertThrows(StoreException.class, () -> counters.add("remote_storage_write", 1));
        assertThrows(StoreException.class, () -> counters.addAll(Map.of("remote_storage_write", 1L)));
        assertThrows(StoreException.class, () -> counters.set("stats_zeroed_timestamp", 1));
        assertThrows(StoreException.class, counters::snapshot);

        try (LocalStore again = LocalStore.open(dir, EntryCodec.defaults())) {
            assertEquals(1L, again.counters().snapshot().get("remote_storage_write"), "the refused counts left nothing");
        }
    }
}
