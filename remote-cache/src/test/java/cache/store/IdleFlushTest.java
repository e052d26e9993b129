package cache.store;

import static cache.store.EntryStoreContract.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores nobody writes to any more do not keep the process's shared write-buffer budget, which
 * would make every write of the store in use flush a few entries at a time (RocksDB's write
 * buffer manager flushes the family being written, not the ones holding the memory).
 */
@Timeout(120)
class IdleFlushTest {

    @TempDir
    Path dir;

    @Test
    void idleStoresHoldingTheSharedBudgetAreFlushedSoAnotherStoresWritesAreNot() throws Exception {
        // two stores left with 9.5 MiB each in their memtables: most of the 24 MiB budget, not yet over it
        try (LocalStore a = LocalStore.open(dir.resolve("a"), EntryCodec.defaults());
                LocalStore b = LocalStore.open(dir.resolve("b"), EntryCodec.defaults())) {
            fill(a, "a", 38, 256 * 1024);
            fill(b, "b", 38, 256 * 1024);
            assertEquals(0, blobFiles(dir.resolve("a")), "9.5 MiB stay in a's memtable while it is written");
            long deadline = System.nanoTime() + 30_000_000_000L;
            // the flush is asked for after a second without writes and written by RocksDB's threads
            while (!(blobFiles(dir.resolve("a")) > 0 && blobFiles(dir.resolve("b")) > 0) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(a.flushedSinceLastWrite() && b.flushedSinceLastWrite(), "the idle stores were flushed");
            assertTrue(blobFiles(dir.resolve("a")) > 0 && blobFiles(dir.resolve("b")) > 0, "their values are in blob files");

            // a build's worth of objects into a third store: nothing of it flushed on the way
            try (LocalStore c = LocalStore.open(dir.resolve("c"), EntryCodec.defaults())) {
                fill(c, "c", 68, 32 * 1024);
                assertEquals(0, blobFiles(dir.resolve("c")), "c's writes made no flush");
                assertEquals(68, c.usage().entries());
            }
            assertEquals(38, a.usage().entries());
            assertEquals(256 * 1024, a.entries().getEncoded(key("a37")).length, "a flushed value reads back");
        }
    }

    @Test
    void aStoreWithRoomToSpareKeepsItsMemtablesWhenIdle() throws Exception {
        try (LocalStore a = LocalStore.open(dir.resolve("a"), EntryCodec.defaults())) {
            fill(a, "a", 8, 256 * 1024);
            // past the idle time and two checks of it
            Thread.sleep(LocalStore.IDLE_FLUSH_NANOS / 1_000_000 * 3);
            assertFalse(a.flushedSinceLastWrite(), "2 MiB of 24 are no reason to write tables");
            assertEquals(0, blobFiles(dir.resolve("a")));
        }
    }

    private static void fill(LocalStore store, String name, int n, int size) {
        Random random = new Random(name.hashCode());
        for (int i = 0; i < n; i++) {
            byte[] value = new byte[size];
            random.nextBytes(value);
            store.entries().putEncoded(key(name + i), value);
        }
    }

    private static long blobFiles(Path db) throws IOException {
        try (Stream<Path> files = Files.list(db)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".blob")).count();
        }
    }
}
