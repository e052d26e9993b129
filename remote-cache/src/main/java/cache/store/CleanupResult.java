package cache.store;

/**
 * What one eviction pass of a {@link LocalStore} removed. Reported to
 * {@link StoreOptions#cleanupListener()} after every pass and returned by the explicit calls.
 *
 * @param evictedFiles entries and manifests removed
 * @param evictedBytes their stored size
 */
public record CleanupResult(Cause cause, long evictedFiles, long evictedBytes) {

    /** Why the pass ran. */
    public enum Cause {
        /** A write took the store over a limit; cleaned down to limit_multiple × limit. */
        AUTOMATIC,
        /** {@link LocalStore#cleanup()} ({@code -c}): cleaned down to the limits. */
        REQUESTED,
        /** {@link LocalStore#evictOlderThan} ({@code --evict-older-than}). */
        OLDER_THAN,
        /** {@link LocalStore#evictNamespace} ({@code --evict-namespace}). */
        NAMESPACE
    }
}
