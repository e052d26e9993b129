package cache.distributor.route;

/** Why a job could not be run on a node; each one backs the node off (see {@link Health}). */
public enum Failure {
    /** The connection was refused or could not be made. */
    CONNECT,
    /** No reply, or not all of it, within the deadline. */
    TIMEOUT,
    /** The node answered with something the protocol does not allow, or broke off. */
    PROTOCOL
}
