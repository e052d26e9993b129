package cache.store;

import cache.hashing.Digest;
import java.util.function.UnaryOperator;

/**
 * Digest → bytes, for records whose format belongs to the caller (direct-mode manifests).
 * {@link #update} is atomic per key against other updates of the same key.
 */
public interface BlobStore {

    /** The stored bytes, or {@code null}. */
    byte[] get(Digest key);

    /**
     * Replaces the value with {@code change.apply(old)} ({@code old} is {@code null} when absent;
     * returning {@code null} deletes).
     */
    void update(Digest key, UnaryOperator<byte[]> change);

    /**
     * {@link #update} recording the namespace of a stored value (ccache's {@code namespace}
     * option), so that {@code --evict-namespace} can find it. Stores that do not record
     * namespaces ignore it.
     */
    default void update(Digest key, UnaryOperator<byte[]> change, String namespace) {
        update(key, change);
    }

    void clear();

    /** {@link #changes()} of a store that cannot tell (another process writes it). */
    long UNTRACKED = -1;

    /**
     * A number that is different after every change of any stored value, or {@link #UNTRACKED}.
     * Read before a {@link #get}: while it stays the same, that answer still holds, and a caller
     * that kept what it derived from the bytes need not read them again.
     */
    default long changes() {
        return UNTRACKED;
    }

    /** Notes a use of {@code key}'s value without reading it (last use, for eviction), as {@link #get} does. */
    default void used(Digest key) {}
}
