package cache.store;

/** The store could not be read or written (disk full, I/O error); callers fall back to compiling. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(cause == null ? message : message + ": " + cause.getMessage(), cause);
    }
}
