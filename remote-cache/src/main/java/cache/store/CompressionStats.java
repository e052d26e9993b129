package cache.store;

/**
 * How well the entries of a {@link LocalStore} compress (ccache's {@code -x}). Read from the
 * catalog, so it costs a scan of small records, not of the entries. Manifests are not
 * included: their format, compression included, belongs to the front end.
 *
 * @param entries number of entries
 * @param storedBytes their stored size (header, compressed body and checksum)
 * @param uncompressedBytes their payload size before compression
 */
public record CompressionStats(long entries, long storedBytes, long uncompressedBytes) {

    /** Uncompressed / stored; 0 for an empty store. */
    public double ratio() {
        return storedBytes == 0 ? 0 : (double) uncompressedBytes / storedBytes;
    }
}
