package cache.store;

import cache.hashing.Digest;

/**
 * A key → {@link CacheEntry} store.
 *
 * <p>Semantics every implementation keeps (checked by the shared contract test):
 * <ul>
 *   <li>{@link #get} returns {@code null} on a miss, never a partial entry;</li>
 *   <li>an entry that fails its checksum is removed and reported as {@link CorruptEntryException},
 *       so the caller counts it, treats it as a miss and the next store replaces it;</li>
 *   <li>{@link #put} replaces any previous entry under the key;</li>
 *   <li>{@link #totalBytes} and {@link #entryCount} follow puts and removals exactly.</li>
 * </ul>
 * Implementations are safe for concurrent use.
 */
public interface EntryStore {

    /**
     * The part of this store that answers without a network round trip: the store itself, or for a
     * store with remote storage behind it, its local store.
     */
    default EntryStore local() {
        return this;
    }

    CacheEntry get(Digest key) throws CorruptEntryException;

    void put(Digest key, CacheEntry entry);

    /**
     * {@link #put} recording the entry's namespace (ccache's {@code namespace} option), so that
     * {@code --evict-namespace} can find it. Stores that do not record namespaces ignore it.
     */
    default void put(Digest key, CacheEntry entry, String namespace) {
        put(key, entry);
    }

    /** @return whether an entry was there */
    boolean remove(Digest key);

    /**
     * The stored bytes of an entry, undecoded (for forwarding an entry over the network as it
     * is stored); {@code null} on a miss. No checksum is verified here.
     */
    byte[] getEncoded(Digest key);

    /** Stores bytes produced by {@link EntryCodec#encode}; they are verified when read. */
    void putEncoded(Digest key, byte[] encoded);

    /** {@link #putEncoded} recording a namespace, as {@link #put(Digest, CacheEntry, String)}. */
    default void putEncoded(Digest key, byte[] encoded, String namespace) {
        putEncoded(key, encoded);
    }

    /** Calls {@code action} for every stored key (a snapshot; concurrent changes may be missed). */
    void forEachKey(java.util.function.Consumer<Digest> action);

    /** Removes every entry. */
    void clear();

    /** Sum of the stored (encoded, compressed) sizes of all entries. */
    long totalBytes();

    long entryCount();
}
