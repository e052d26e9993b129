package cache.frontend.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.hashing.Digest;
import cache.store.BlobStore;
import cache.store.InMemoryCounterStore;
import cache.store.InMemoryEntryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new directory's store while it opens: reads are misses, and once it is open its manifests
 * tell their store's count of changes (so a decoded manifest is used without a read) and pass
 * uses on (for eviction), as the store itself would.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpeningStoreTest {

    /** A manifest store that counts its changes and records the uses it is told of. */
    private static final class CountingBlobs implements BlobStore {
        long changes = 7;
        final List<Digest> used = new ArrayList<>();

        @Override
        public byte[] get(Digest key) {
            return new byte[] {1};
        }

        @Override
        public void update(Digest key, UnaryOperator<byte[]> change) {
            changes++;
        }

        @Override
        public void clear() {
            changes++;
        }

        @Override
        public long changes() {
            return changes;
        }

        @Override
        public void used(Digest key) {
            used.add(key);
        }
    }

    @Test
    void whileOpeningItsManifestsAreMissesOfUnknownCountAndOnceOpenTheyAreTheStoresOwn() {
        OpeningStore o = new OpeningStore("/tmp/new-dir");
        BlobStore manifests = o.manifests();
        Digest key = Digest.of(new byte[] {42});
        assertNull(manifests.get(key));
        assertEquals(BlobStore.UNTRACKED, manifests.changes());
        manifests.used(key); // nowhere to note it yet: dropped, as the read it stands for found nothing

        CountingBlobs store = new CountingBlobs();
        o.opened(new OpeningStore.Target(new InMemoryEntryStore(cache.store.EntryCodec.defaults()), store, new InMemoryCounterStore()));

        assertEquals(7, manifests.changes());
        manifests.update(key, old -> new byte[] {2});
        assertEquals(8, manifests.changes());
        manifests.used(key);
        assertEquals(List.of(key), store.used);
    }

    @Test
    void aWriteWaitingForTheOpenGivesUpWhenItsThreadIsInterruptedAndKeepsTheInterrupt() throws Exception {
        OpeningStore o = new OpeningStore("/tmp/never-opens");
        java.util.concurrent.CompletableFuture<Throwable> thrown = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                o.manifests().update(Digest.of(new byte[] {1}), old -> new byte[] {2});
                thrown.complete(null);
            } catch (Throwable t) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                thrown.complete(t);
            }
        });
        writer.start();
        // the write is parked on the open (the store never opens here); then the daemon gives up on it
        while (writer.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        writer.interrupt();
        Throwable t = thrown.get(5, TimeUnit.SECONDS);
        org.junit.jupiter.api.Assertions.assertInstanceOf(cache.store.StoreException.class, t,
                "a failed write, as a failed open is");
        org.junit.jupiter.api.Assertions.assertTrue(stillInterrupted.get(), "the thread keeps its interrupt");
        writer.join(5_000);
    }
}
