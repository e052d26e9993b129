package cache.store;

import cache.hashing.Digest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** A {@link BlobStore} in a map, for tests. */
public final class InMemoryBlobStore implements BlobStore {

    private final ConcurrentHashMap<Digest, byte[]> map = new ConcurrentHashMap<>();

    @Override
    public byte[] get(Digest key) {
        return map.get(key);
    }

    @Override
    public void update(Digest key, UnaryOperator<byte[]> change) {
        map.compute(key, (k, old) -> change.apply(old));
    }

    /** How many blobs are stored. */
    public int size() {
        return map.size();
    }

    @Override
    public void clear() {
        map.clear();
    }
}
