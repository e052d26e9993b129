package cache.storage.remote;

/**
 * One server (or directory) holding framed entries by key string: the wire of a remote storage
 * URL with its {@code *} expanded. Implementations bound every call by the URL's timeouts.
 *
 * <p>Semantics as ccache's {@code RemoteStorage::Backend}: {@link #get} answers null for an
 * absent key (for HTTP, any non-2xx status); a failure to talk to the server throws {@link
 * BackendException}, which the caller counts and answers by backing the server off.
 */
interface RemoteBackend extends AutoCloseable {

    /** The value under {@code key}, or null when there is none. */
    byte[] get(String key) throws BackendException;

    /**
     * Starts reading the value under {@code key} without blocking the calling thread (an event
     * loop): the future completes with the value, null when there is none, or a {@link
     * BackendException}, within the URL's timeouts. Null when this backend cannot start a read
     * without blocking (it has no such client, or its connection is not open yet): then the
     * caller reads with {@link #get} on a thread that may block.
     */
    default java.util.concurrent.CompletableFuture<byte[]> startGet(String key) {
        return null;
    }

    /**
     * Stores {@code value} under {@code key}; with {@code onlyIfMissing}, leaves an existing
     * value alone. True when it wrote.
     */
    boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException;

    @Override
    void close();
}
