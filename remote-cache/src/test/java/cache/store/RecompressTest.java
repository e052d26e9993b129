package cache.store;

import static cache.store.EvictionTest.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.store.TrackedFamily.Kind;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code -x} statistics and {@code -X} recompression. */
@Timeout(120)
class RecompressTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private LocalStore store;

    @BeforeEach
    void open() throws Exception {
        store = LocalStore.open(dir, new EntryCodec(true, 1), StoreOptions.defaults().withClock(clock));
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Compressible, and different per seed. */
    private static CacheEntry entry(int seed) {
        StringBuilder obj = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            obj.append("symbol_").append(seed).append('_').append(i % 37).append(" = ").append(i * seed).append(";\n");
        }
        return new CacheEntry(0, ("out " + seed).getBytes(), new byte[0],
                Map.of(OutputKind.OBJECT, obj.toString().getBytes(), OutputKind.DEPENDENCY, "x.o: x.c\n".getBytes()));
    }

    private void putAll(int n) {
        for (int i = 0; i < n; i++) {
            store.entries().put(key("e" + i), entry(i), "ns" + (i % 2));
            clock.advance(Duration.ofMinutes(1));
        }
    }

    private long sumEncoded() {
        long[] sum = {0};
        store.entries().forEachKey(k -> sum[0] += store.family(Kind.ENTRIES).peek(k).length);
        return sum[0];
    }

    @Test
    void statsComeFromTheCatalogAndMatchTheEntries() {
        putAll(10);
        store.manifests().update(key("m"), m -> new byte[100]);
        CompressionStats stats = store.compressionStats();
        assertEquals(10, stats.entries());
        assertEquals(store.usage().entryBytes(), stats.storedBytes());
        long payload = 0;
        for (int i = 0; i < 10; i++) {
            byte[] stored = store.family(Kind.ENTRIES).peek(key("e" + i));
            payload += EntryCodec.payloadLength(stored, stored.length);
        }
        assertEquals(payload, stats.uncompressedBytes());
        assertTrue(stats.ratio() > 2, "text compresses: " + stats);
    }

    @Test
    void recompressRoundTripsKeepingKeysLastUseAndNamespace() throws Exception {
        putAll(12);
        CatalogRecord before = store.family(Kind.ENTRIES).record(key("e3"));
        CompressionStats level1 = store.compressionStats();

        RecompressResult plain = store.recompress(new EntryCodec(false, 0), 2);
        assertEquals(new RecompressResult(12, 12, 0, level1.storedBytes(), store.usage().entryBytes()), plain);
        CompressionStats uncompressed = store.compressionStats();
        assertEquals(level1.uncompressedBytes(), uncompressed.uncompressedBytes());
        assertEquals(uncompressed.uncompressedBytes() + 12 * 16, uncompressed.storedBytes(), "header and trailer only (format 2: 12 + 4)");

        RecompressResult strong = store.recompress(new EntryCodec(true, 19), 3);
        assertEquals(12, strong.rewritten());
        assertTrue(strong.bytesAfter() <= level1.storedBytes(), strong + " vs " + level1);

        RecompressResult again = store.recompress(new EntryCodec(true, 19), 1);
        assertEquals(12, again.entries());
        assertEquals(0, again.rewritten(), "already in that form");

        for (int i = 0; i < 12; i++) {
            assertEquals(entry(i), store.entries().get(key("e" + i)));
        }
        CatalogRecord after = store.family(Kind.ENTRIES).record(key("e3"));
        assertEquals(before.lastUse(), after.lastUse());
        assertEquals("ns1", after.namespace());
        assertEquals(sumEncoded(), store.usage().entryBytes());
        assertEquals(12, store.usage().entries());
    }

    @Test
    void corruptEntriesAreRemovedAndCounted() throws Exception {
        putAll(5);
        byte[] stored = store.entries().getEncoded(key("e2"));
        byte[] bad = stored.clone();
        bad[bad.length / 2] ^= 0x10;
        store.entries().putEncoded(key("e2"), bad);
        store.entries().putEncoded(key("junk"), new byte[] {1, 2, 3});

        RecompressResult result = store.recompress(new EntryCodec(true, 3), 2);
        assertEquals(2, result.corruptRemoved());
        assertEquals(4, result.entries());
        assertNull(store.entries().getEncoded(key("e2")));
        assertNull(store.entries().getEncoded(key("junk")));
        assertEquals(4, store.usage().entries());
        assertEquals(sumEncoded(), store.usage().entryBytes());
    }

    @Test
    void recompressBesideWritersKeepsAccountingExact() throws Exception {
        putAll(40);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 300; i++) {
                    Digest k = key("e" + (i % 50));
                    if (i % 7 == 0) {
                        store.entries().remove(k);
                    } else {
                        store.entries().put(k, entry(i));
                    }
                }
            });
            store.recompress(new EntryCodec(true, 9), 2);
            writer.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(sumEncoded(), store.usage().entryBytes());
        long[] n = {0};
        store.entries().forEachKey(k -> n[0]++);
        assertEquals(n[0], store.usage().entries());
        assertEquals(n[0], store.compressionStats().entries());
    }
}
