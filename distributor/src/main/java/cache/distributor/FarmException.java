package cache.distributor;

import java.io.IOException;

/** No node of the farm answered a job; the caller compiles it locally. */
public final class FarmException extends IOException {

    public FarmException(String message) {
        super(message);
    }
}
