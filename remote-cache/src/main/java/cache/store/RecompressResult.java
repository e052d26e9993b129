package cache.store;

/**
 * What {@link LocalStore#recompress} did (ccache's {@code -X}).
 *
 * @param entries entries read and verified (rewritten, or already in the requested form)
 * @param rewritten of those, entries whose stored bytes changed
 * @param corruptRemoved entries that failed their checksum or did not decode; they were removed
 *     (the caller counts them as {@code corrupt_entry})
 * @param bytesBefore stored size of the verified entries before
 * @param bytesAfter their stored size after
 */
public record RecompressResult(long entries, long rewritten, long corruptRemoved, long bytesBefore, long bytesAfter) {}
