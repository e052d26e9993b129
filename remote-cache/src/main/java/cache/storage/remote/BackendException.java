package cache.storage.remote;

/** A remote storage server did not answer as it should: a timeout, or any other failure. */
final class BackendException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean timeout;

    BackendException(String message, boolean timeout, Throwable cause) {
        super(message, cause);
        this.timeout = timeout;
    }

    BackendException(String message, boolean timeout) {
        this(message, timeout, null);
    }

    /** Counted as {@code remote_storage_timeout} rather than {@code remote_storage_error}. */
    boolean timeout() {
        return timeout;
    }
}
