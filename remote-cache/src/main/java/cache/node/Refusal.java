package cache.node;

import cache.node.protocol.NodeProtocol.ErrorCode;

/** A request the node will not serve, with the reason the client logs and the node counts. */
public final class Refusal extends Exception {

    private final ErrorCode code;

    public Refusal(ErrorCode code, String reason) {
        super(reason);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
