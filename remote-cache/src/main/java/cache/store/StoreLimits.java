package cache.store;

/**
 * ccache's cleanup limits for a {@link LocalStore}.
 *
 * <p>When a write takes the store over {@code maxSizeBytes} or {@code maxFiles}, a background
 * cleanup evicts the least recently used entries and manifests until the store is at or below
 * {@code limitMultiple} × each limit. Both sizes count entries and manifests ({@link StoreUsage}).
 *
 * @param maxSizeBytes {@code max_size}: stored bytes; 0 = unlimited
 * @param maxFiles {@code max_files}: entries plus manifests; 0 = unlimited
 * @param limitMultiple {@code limit_multiple}: the fraction of a limit a cleanup brings the
 *     store down to, in (0, 1]
 */
public record StoreLimits(long maxSizeBytes, long maxFiles, double limitMultiple) {

    /** ccache's default {@code limit_multiple}. */
    public static final double DEFAULT_LIMIT_MULTIPLE = 0.8;

    /** No limit: nothing is evicted unless asked. */
    public static final StoreLimits UNLIMITED = new StoreLimits(0, 0, DEFAULT_LIMIT_MULTIPLE);

    public StoreLimits {
        if (maxSizeBytes < 0 || maxFiles < 0) {
            throw new IllegalArgumentException("limits can not be negative: " + maxSizeBytes + ", " + maxFiles);
        }
        if (!(limitMultiple > 0 && limitMultiple <= 1)) {
            throw new IllegalArgumentException("limit_multiple must be in (0, 1]: " + limitMultiple);
        }
    }

    /** Whether {@code usage} is over a limit (what starts a background cleanup). */
    public boolean exceededBy(StoreUsage usage) {
        return (maxSizeBytes > 0 && usage.bytes() > maxSizeBytes) || (maxFiles > 0 && usage.files() > maxFiles);
    }
}
