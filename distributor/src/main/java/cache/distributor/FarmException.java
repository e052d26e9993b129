package cache.distributor;

import java.io.IOException;

/** No node of the farm answered a job; the caller compiles it locally. */
public final class FarmException extends IOException {

    private final boolean unsupported;

    public FarmException(String message) {
        this(message, false);
    }

    /** @param unsupported whether every node tried answered but cannot take this kind of job */
    public FarmException(String message, boolean unsupported) {
        super(message);
        this.unsupported = unsupported;
    }

    /** Whether the nodes are fine but none takes this kind of job (a source job, version 1 nodes only). */
    public boolean unsupported() {
        return unsupported;
    }
}
