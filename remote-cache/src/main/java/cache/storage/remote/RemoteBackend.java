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
     * Stores {@code value} under {@code key}; with {@code onlyIfMissing}, leaves an existing
     * value alone. True when it wrote.
     */
    boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException;

    @Override
    void close();
}
