package cache.frontend.daemon;

import cache.hashing.Digest;
import cache.store.BlobStore;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.CounterStore;
import cache.store.EntryStore;
import cache.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The store of a cache directory that did not exist before this daemon created it, while
 * RocksDB creates its files (a new store: tens of milliseconds of file creation and fsyncs).
 * Such a directory holds nothing, so its calls need not wait: until the store is open, every
 * read is a miss (without waiting), counter updates are kept in memory and added once it is
 * open, and every other write (a back-fill, a compiled result, a manifest update, {@code -C})
 * waits for the open and then lands in the store. A call of a fresh CI runner's first build
 * thus goes to remote storage at once, and its back-fills follow once the store is there.
 *
 * <p>When the open fails, reads stay misses, counts are dropped and writes throw {@link
 * StoreException}: the call's result is then not kept locally, as after any failed store write.
 */
final class OpeningStore {

    /** The stores the directory's calls use once open: its own RocksDB, or another daemon's through its socket. */
    record Target(EntryStore entries, BlobStore manifests, CounterStore counters) {}

    private final String dir;
    private final CompletableFuture<Target> target = new CompletableFuture<>();
    /** Counter updates made before the open ended; guarded by this. */
    private final List<Consumer<CounterStore>> pendingCounts = new ArrayList<>();

    OpeningStore(String dir) {
        this.dir = dir;
    }

    /** The open ended: pending counts go to the store, then every read and write reaches it. */
    void opened(Target t) {
        synchronized (this) {
            for (Consumer<CounterStore> c : pendingCounts) {
                try {
                    c.accept(t.counters());
                } catch (RuntimeException e) {
                    // a lost count, as a failed counter write of any call
                }
            }
            pendingCounts.clear();
            target.complete(t);
        }
    }

    void failed(Throwable why) {
        synchronized (this) {
            pendingCounts.clear();
            target.completeExceptionally(why);
        }
    }

    boolean isDone() {
        return target.isDone();
    }

    /** Runs {@code action} once the open has ended, either way (at once if it has). */
    void whenDone(Runnable action) {
        target.whenComplete((t, e) -> action.run());
    }

    /** The open store, or null while it opens or after it failed. */
    private Target now() {
        try {
            return target.getNow(null);
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /**
     * The open store, waiting for the open; a failed open is a failed write, and so is an
     * interrupt while waiting (the thread keeps its interrupt status: a daemon stopping, a
     * call given up).
     */
    private Target await() {
        try {
            return target.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new StoreException("the store of " + dir + " could not be opened", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while the store of " + dir + " was opening", e);
        } catch (java.util.concurrent.CancellationException e) {
            throw new StoreException("the open of the store of " + dir + " was cancelled", e);
        }
    }

    /** Applies {@code update} now if the store is open, else once it is. */
    private void count(Consumer<CounterStore> update) {
        Target t;
        synchronized (this) {
            t = now();
            if (t == null) {
                if (!target.isDone()) {
                    pendingCounts.add(update);
                }
                return;
            }
        }
        update.accept(t.counters());
    }

    EntryStore entries() {
        return new EntryStore() {
            @Override
            public CacheEntry get(Digest key) throws CorruptEntryException {
                Target t = now();
                return t == null ? null : t.entries().get(key);
            }

            @Override
            public byte[] getEncoded(Digest key) {
                Target t = now();
                return t == null ? null : t.entries().getEncoded(key);
            }

            @Override
            public void put(Digest key, CacheEntry entry) {
                await().entries().put(key, entry);
            }

            @Override
            public void put(Digest key, CacheEntry entry, String namespace) {
                await().entries().put(key, entry, namespace);
            }

            @Override
            public void putEncoded(Digest key, byte[] encoded) {
                await().entries().putEncoded(key, encoded);
            }

            @Override
            public void putEncoded(Digest key, byte[] encoded, String namespace) {
                await().entries().putEncoded(key, encoded, namespace);
            }

            @Override
            public boolean remove(Digest key) {
                return await().entries().remove(key);
            }

            @Override
            public void forEachKey(Consumer<Digest> action) {
                await().entries().forEachKey(action);
            }

            @Override
            public void clear() {
                await().entries().clear();
            }

            @Override
            public long totalBytes() {
                return await().entries().totalBytes();
            }

            @Override
            public long entryCount() {
                return await().entries().entryCount();
            }
        };
    }

    BlobStore manifests() {
        return new BlobStore() {
            @Override
            public byte[] get(Digest key) {
                Target t = now();
                return t == null ? null : t.manifests().get(key);
            }

            @Override
            public void update(Digest key, UnaryOperator<byte[]> change) {
                await().manifests().update(key, change);
            }

            @Override
            public void update(Digest key, UnaryOperator<byte[]> change, String namespace) {
                await().manifests().update(key, change, namespace);
            }

            @Override
            public void clear() {
                await().manifests().clear();
            }

            /** The open store's count (a decoded manifest is then used without a read); unknown while it opens. */
            @Override
            public long changes() {
                Target t = now();
                return t == null ? UNTRACKED : t.manifests().changes();
            }

            @Override
            public void used(Digest key) {
                Target t = now();
                if (t != null) {
                    t.manifests().used(key);
                }
            }
        };
    }

    CounterStore counters() {
        return new CounterStore() {
            @Override
            public void add(String name, long delta) {
                count(c -> c.add(name, delta));
            }

            @Override
            public void addAll(Map<String, Long> deltas) {
                Map<String, Long> copy = Map.copyOf(deltas);
                count(c -> c.addAll(copy));
            }

            @Override
            public void set(String name, long value) {
                count(c -> c.set(name, value));
            }

            @Override
            public Map<String, Long> snapshot() {
                return await().counters().snapshot();
            }
        };
    }
}
