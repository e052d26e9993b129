package cache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The semantics of {@link EntryStore}, run against every implementation. */
abstract class EntryStoreContract {

    abstract EntryStore store();

    static Digest key(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    static CacheEntry entry(String obj) {
        return new CacheEntry(0, "out".getBytes(), "warning: x\n".getBytes(),
                Map.of(OutputKind.OBJECT, obj.getBytes(), OutputKind.DEPENDENCY, "x.o: x.c\n".getBytes()));
    }

    @Test
    void missIsNull() throws Exception {
        assertNull(store().get(key("absent")));
        assertNull(store().getEncoded(key("absent")));
    }

    @Test
    void putThenGetReturnsEqualEntry() throws Exception {
        store().put(key("a"), entry("object-a"));
        assertEquals(entry("object-a"), store().get(key("a")));
    }

    @Test
    void putReplacesAndAccountsSize() throws Exception {
        store().put(key("a"), entry("small"));
        long first = store().totalBytes();
        store().put(key("a"), entry("a much larger object body ".repeat(100)));
        assertEquals(1, store().entryCount());
        assertTrue(store().totalBytes() > first);
        assertEquals(entry("a much larger object body ".repeat(100)), store().get(key("a")));
        assertEquals(store().getEncoded(key("a")).length, store().totalBytes());
    }

    @Test
    void putWithNamespaceIsAnOrdinaryPutForReaders() throws Exception {
        store().put(key("n"), entry("object-n"), "project");
        assertEquals(entry("object-n"), store().get(key("n")));
        store().putEncoded(key("m"), store().getEncoded(key("n")), "project");
        assertEquals(entry("object-n"), store().get(key("m")));
        assertEquals(2, store().entryCount());
        assertEquals(2L * store().getEncoded(key("n")).length, store().totalBytes());
    }

    @Test
    void removeAndClear() throws Exception {
        store().put(key("a"), entry("a"));
        store().put(key("b"), entry("b"));
        assertEquals(2, store().entryCount());
        assertTrue(store().remove(key("a")));
        assertFalse(store().remove(key("a")));
        assertNull(store().get(key("a")));
        assertEquals(1, store().entryCount());
        store().clear();
        assertEquals(0, store().entryCount());
        assertEquals(0, store().totalBytes());
        assertNull(store().get(key("b")));
    }

    @Test
    void corruptEntryIsReportedAndRemoved() throws Exception {
        store().put(key("c"), entry("object-c"));
        byte[] stored = store().getEncoded(key("c"));
        for (int i = 0; i < stored.length; i += Math.max(1, stored.length / 7)) {
            byte[] bad = stored.clone();
            bad[i] ^= 0x5a;
            store().putEncoded(key("c"), bad);
            assertThrows(CorruptEntryException.class, () -> store().get(key("c")), "flip at byte " + i);
            assertNull(store().get(key("c")), "corrupt entry must be removed (flip at " + i + ")");
        }
        assertEquals(0, store().entryCount());
    }

    @Test
    void truncatedEntryIsCorrupt() throws Exception {
        store().put(key("t"), entry("object-t"));
        byte[] stored = store().getEncoded(key("t"));
        store().putEncoded(key("t"), java.util.Arrays.copyOf(stored, stored.length / 2));
        assertThrows(CorruptEntryException.class, () -> store().get(key("t")));
    }

    @Test
    void forEachKeyVisitsAll() {
        store().put(key("a"), entry("a"));
        store().put(key("b"), entry("b"));
        List<Digest> seen = new ArrayList<>();
        store().forEachKey(seen::add);
        assertEquals(2, seen.size());
        assertTrue(seen.contains(key("a")) && seen.contains(key("b")));
    }

    @Test
    void concurrentPutsAccountExactly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        store().put(key("k" + (i % 50)), entry("v" + i));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(50, store().entryCount());
        long[] sum = {0};
        store().forEachKey(k -> sum[0] += store().getEncoded(k).length);
        assertEquals(sum[0], store().totalBytes());
    }
}
