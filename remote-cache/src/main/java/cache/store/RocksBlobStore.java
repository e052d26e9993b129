package cache.store;

import cache.hashing.Digest;
import java.util.function.UnaryOperator;

/**
 * A {@link BlobStore} in a {@link TrackedFamily}: updates are serialised per key stripe and
 * counted in the store's size (ccache counts manifests as files too).
 */
final class RocksBlobStore implements BlobStore {

    private final TrackedFamily family;

    RocksBlobStore(TrackedFamily family) {
        this.family = family;
    }

    @Override
    public byte[] get(Digest key) {
        return family.get(key);
    }

    @Override
    public void update(Digest key, UnaryOperator<byte[]> change) {
        family.update(key, change, "");
    }

    @Override
    public void update(Digest key, UnaryOperator<byte[]> change, String namespace) {
        family.update(key, change, namespace);
    }

    @Override
    public long changes() {
        return family.changes();
    }

    @Override
    public void used(Digest key) {
        family.used(key);
    }

    @Override
    public void clear() {
        family.clear();
    }
}
