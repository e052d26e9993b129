package cache.node.protocol;

/** A frame that is not exactly one valid message; the receiver closes the connection. */
public final class ProtocolException extends Exception {

    public ProtocolException(String message) {
        super(message);
    }
}
