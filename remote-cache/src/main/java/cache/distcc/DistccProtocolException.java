package cache.distcc;

import java.io.IOException;

/** A peer broke distcc's protocol (or asked for what it is not served): the connection is closed. */
public final class DistccProtocolException extends IOException {
    public DistccProtocolException(String message) {
        super(message);
    }

    public DistccProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
