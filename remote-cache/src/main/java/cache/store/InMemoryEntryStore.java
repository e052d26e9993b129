package cache.store;

import cache.hashing.Digest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/** Entries kept encoded in a map: the reference implementation for tests and memory-only use. */
public final class InMemoryEntryStore implements EntryStore {

    private final ConcurrentMap<Digest, byte[]> map = new ConcurrentHashMap<>();
    private final EntryCodec codec;
    private final AtomicLong bytes = new AtomicLong();

    public InMemoryEntryStore(EntryCodec codec) {
        this.codec = codec;
    }

    @Override
    public CacheEntry get(Digest key) throws CorruptEntryException {
        return codec.decodeStored(this, key, map.get(key));
    }

    @Override
    public void put(Digest key, CacheEntry entry) {
        putEncoded(key, codec.encode(entry));
    }

    @Override
    public byte[] getEncoded(Digest key) {
        return map.get(key);
    }

    @Override
    public void forEachKey(java.util.function.Consumer<Digest> action) {
        map.keySet().forEach(action);
    }

    @Override
    public void putEncoded(Digest key, byte[] encoded) {
        map.compute(key, (k, old) -> {
            bytes.addAndGet(encoded.length - (old == null ? 0 : old.length));
            return encoded;
        });
    }

    @Override
    public boolean remove(Digest key) {
        byte[] old = map.remove(key);
        if (old != null) {
            bytes.addAndGet(-old.length);
        }
        return old != null;
    }

    @Override
    public void clear() {
        for (Digest k : map.keySet()) {
            remove(k);
        }
    }

    @Override
    public long totalBytes() {
        return bytes.get();
    }

    @Override
    public long entryCount() {
        return map.size();
    }
}
