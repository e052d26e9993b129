package cache.store;

import cache.hashing.Digest;
import java.util.function.Consumer;

/**
 * Entries in RocksDB: {@link EntryCodec} bytes in a {@link TrackedFamily}, which keeps the
 * size accounting in the same write batch as the entry, so it can not drift from the data even
 * when the process is killed between two writes.
 */
final class RocksEntryStore implements EntryStore {

    private final TrackedFamily family;
    private final EntryCodec codec;

    RocksEntryStore(TrackedFamily family, EntryCodec codec) {
        this.family = family;
        this.codec = codec;
    }

    @Override
    public CacheEntry get(Digest key) throws CorruptEntryException {
        return codec.decodeStored(this, key, getEncoded(key));
    }

    @Override
    public void put(Digest key, CacheEntry entry) {
        putEncoded(key, codec.encode(entry));
    }

    @Override
    public void put(Digest key, CacheEntry entry, String namespace) {
        putEncoded(key, codec.encode(entry), namespace);
    }

    @Override
    public byte[] getEncoded(Digest key) {
        return family.get(key);
    }

    @Override
    public void forEachKey(Consumer<Digest> action) {
        family.forEachKey(action);
    }

    @Override
    public void putEncoded(Digest key, byte[] encoded) {
        putEncoded(key, encoded, "");
    }

    @Override
    public void putEncoded(Digest key, byte[] encoded, String namespace) {
        family.put(key, encoded, EntryCodec.payloadLength(encoded, encoded.length), namespace);
    }

    @Override
    public boolean remove(Digest key) {
        return family.remove(key);
    }

    @Override
    public void clear() {
        family.clear();
    }

    @Override
    public long totalBytes() {
        return family.bytes();
    }

    @Override
    public long entryCount() {
        return family.files();
    }
}
