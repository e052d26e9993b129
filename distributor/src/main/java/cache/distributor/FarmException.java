package cache.distributor;

import java.io.IOException;

/** No node of the farm answered a job; the caller compiles it locally. */
public final class FarmException extends IOException {

    /** Why the job came back: what the last node tried did, or that there was none to try. */
    public enum Reason {
        /** Every node is backed off (or the list had none left to try). */
        NO_HEALTHY_NODE,
        /** The connection was refused or could not be made. */
        UNREACHABLE,
        /** No answer within the deadline. */
        TIMEOUT,
        /** The node broke the protocol, broke off, or sent a corrupt entry. */
        PROTOCOL_ERROR,
        /** The node refused the job (an argument, its size, the compiler). */
        REFUSED,
        /** Every node tried answered but none takes this kind of job (a source job, version 1 nodes). */
        UNSUPPORTED
    }

    private final Reason reason;

    public FarmException(String message) {
        this(message, Reason.UNREACHABLE);
    }

    /** @param unsupported whether every node tried answered but cannot take this kind of job */
    public FarmException(String message, boolean unsupported) {
        this(message, unsupported ? Reason.UNSUPPORTED : Reason.UNREACHABLE);
    }

    public FarmException(String message, Reason reason) {
        super(message);
        this.reason = reason;
    }

    /** Whether the nodes are fine but none takes this kind of job (a source job, version 1 nodes only). */
    public boolean unsupported() {
        return reason == Reason.UNSUPPORTED;
    }

    public Reason reason() {
        return reason;
    }
}
