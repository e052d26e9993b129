package cache.distributor.hosts;

import java.util.List;
import java.util.Objects;

/**
 * A parsed distcc host list ({@code DISTCC_HOSTS} or a hosts file): the hosts to use, in the
 * order written, plus the list's global settings and every problem found while reading it.
 *
 * <p>Reading never throws. What cannot be used is left out and said once in {@link #problems()}:
 *
 * <ul>
 *   <li>{@code ,down} entries are left out silently: distcc never sends them jobs.
 *   <li>Entries this distributor cannot honour yet ({@code ,cpp} pump hosts, ssh hosts,
 *       {@code ,auth}, {@code +zeroconf}) are left out, one {@link HostProblem.Kind#UNSUPPORTED}
 *       problem per distinct entry; the other hosts are used.
 *   <li>A malformed entry rejects the whole list, as distcc's {@code dcc_parse_hosts} does (it
 *       returns at the first bad entry, so distcc distributes nothing): {@link #hosts()} is
 *       empty, settings are the defaults, and the one {@link HostProblem.Kind#REJECTED} problem
 *       names the entry and position.
 * </ul>
 *
 * @param hosts         the usable hosts, only {@link TcpHost} and {@link LocalHost}, in list
 *                      order; empty means compile everything locally
 * @param randomize     {@code --randomize}: the scheduler should shuffle {@link #hosts()} once per
 *                      client process (distcc seeds with the PID); the list itself keeps the order
 *                      written
 * @param localSlots    {@code --localslots}: jobs that must run locally, run at most this many at
 *                      once; default {@value #DEFAULT_LOCAL_SLOTS}
 * @param localSlotsCpp {@code --localslots_cpp}: local preprocessors at once; default
 *                      {@value #DEFAULT_LOCAL_SLOTS_CPP}
 * @param problems      what the user should be told, in the order found
 */
public record HostList(
        List<HostSpec> hosts,
        boolean randomize,
        int localSlots,
        int localSlotsCpp,
        List<HostProblem> problems) {

    /** distcc's default for {@code --localslots}. */
    public static final int DEFAULT_LOCAL_SLOTS = 4;
    /** distcc's default for {@code --localslots_cpp}. */
    public static final int DEFAULT_LOCAL_SLOTS_CPP = 8;

    public HostList {
        hosts = List.copyOf(hosts);
        problems = List.copyOf(problems);
        if (localSlots < 1 || localSlotsCpp < 1) {
            throw new IllegalArgumentException("local slots below 1");
        }
        for (HostSpec host : hosts) {
            if (!host.supported()) {
                throw new IllegalArgumentException("unsupported host in a list: " + host.entry());
            }
        }
    }

    /**
     * Parses {@code text} in distcc 3.4's host-list grammar (see the package documentation).
     *
     * @param text       the list: entries separated by whitespace, {@code #} comments to end of line
     * @param sourceName how problems name the list, e.g. {@code "$DISTCC_HOSTS"} or a file path
     */
    public static HostList parse(String text, String sourceName) {
        return new HostListParser(Objects.requireNonNull(text, "text"),
                Objects.requireNonNull(sourceName, "sourceName")).parse();
    }

    /** A list with no hosts and default settings, carrying {@code problems}. */
    static HostList withoutHosts(List<HostProblem> problems) {
        return new HostList(List.of(), false, DEFAULT_LOCAL_SLOTS, DEFAULT_LOCAL_SLOTS_CPP, problems);
    }

    /** Whether a malformed entry made the whole list unusable (then {@link #hosts()} is empty). */
    public boolean rejected() {
        return problems.stream().anyMatch(p -> p.kind() == HostProblem.Kind.REJECTED);
    }
}
