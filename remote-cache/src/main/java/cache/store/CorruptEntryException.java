package cache.store;

/** A stored entry failed its checksum or could not be decoded; callers treat it as a miss. */
public final class CorruptEntryException extends Exception {

    public CorruptEntryException(String message) {
        super(message);
    }

    public CorruptEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
