package cache.distributor.hosts;

/**
 * One host entry of a distcc host list, as parsed: {@link TcpHost} ({@code HOST[:PORT][/LIMIT]}),
 * {@link LocalHost} ({@code localhost[/LIMIT]}) or {@link SshHost} ({@code [USER]@HOST...}).
 *
 * <p>Every spec keeps the entry's verbatim text ({@link #entry()}), so logs and lock names can
 * name it the way the user wrote it, as distcc's {@code hostdef_string} does.
 */
public sealed interface HostSpec permits TcpHost, LocalHost, SshHost {

    /** The entry exactly as written in the list, e.g. {@code "angry:3000/8,lzo"}. */
    String entry();

    /** At most this many concurrent jobs from this client to the host; always at least 1. */
    int limit();

    /**
     * Whether this distributor can send jobs to the host. A {@link HostList} holds only supported
     * specs; an unsupported one is reported as a {@link HostProblem.Kind#UNSUPPORTED} problem.
     */
    boolean supported();
}
