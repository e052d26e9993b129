package cache.store;

/**
 * What a {@link LocalStore} holds: the sum of the stored (encoded, compressed) sizes of its
 * values and their number, for entries and manifests. These are logical sizes; RocksDB's
 * files on disk are larger by their own overhead and smaller or larger by data not yet
 * compacted away.
 */
public record StoreUsage(long entryBytes, long entries, long manifestBytes, long manifests) {

    /** Bytes counted against {@code max_size}: entries and manifests. */
    public long bytes() {
        return entryBytes + manifestBytes;
    }

    /** Files counted against {@code max_files} and shown as {@code files_in_cache}: entries and manifests. */
    public long files() {
        return entries + manifests;
    }
}
