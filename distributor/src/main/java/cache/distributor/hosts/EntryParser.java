package cache.distributor.hosts;

import java.util.Optional;

/**
 * Parses one whitespace-delimited entry of a host list into a {@link HostSpec}, following
 * distcc 3.4's {@code dcc_parse_localhost}, {@code dcc_parse_ssh_host},
 * {@code dcc_parse_tcp_host}, {@code dcc_parse_multiplier} and {@code dcc_parse_options} step by
 * step, so the same text means the same host.
 *
 * <p>Like distcc, a parse stops at the first character it has no rule for and the rest of the
 * entry is not read ({@code angry/4xyz} is {@code angry} with 4 slots); {@link Parsed#end()} says
 * where, so the caller can report the ignored text. Unlike distcc, parsing never looks past the
 * entry: distcc's sub-parsers scan the whole remaining list, so {@code angry#old} became a host
 * named {@code angry#old} although its scanner ends the entry at {@code #}.
 *
 * <p>Where distcc accepts a value that cannot work, this parser rejects it instead: a port outside
 * 1..65535 (distcc's {@code strtol} takes {@code angry:} as port 0 and {@code angry:-1} as -1) and
 * a negative limit ({@code atoi} makes {@code angry/-2} a host with -2 slots, never chosen).
 */
final class EntryParser {

    /** An entry distcc rejects, which rejects the whole list. Never leaves the package. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        /** Index in the entry of the offending character. */
        final int index;

        Malformed(int index, String message) {
            super(message, null, false, false);
            this.index = index;
        }
    }

    /** The spec, and the index in the entry where parsing stopped (the rest is ignored). */
    record Parsed(HostSpec spec, int end) {}

    /** Characters that end a host name (distcc: {@code "/: \t\n\r\f,"}). */
    private static final String HOST_END = "/: \t\n\r\f,";

    private final String entry;
    private int pos;

    EntryParser(String entry, int start) {
        this.entry = entry;
        this.pos = start;
    }

    /** Parses the entry, which is non-empty and holds no list separator. */
    static Parsed parse(String entry) throws Malformed {
        EntryParser p = new EntryParser(entry, 0);
        HostSpec spec;
        if (entry.startsWith("localhost") && (entry.length() == 9 || entry.charAt(9) == '/')) {
            p.pos = 9;
            spec = new LocalHost(entry, p.multiplier(LocalHost.DEFAULT_LIMIT));
        } else if (entry.indexOf('@') >= 0) {
            spec = p.sshHost();
        } else {
            spec = p.tcpHost();
        }
        return new Parsed(spec, p.pos);
    }

    /** Where parsing stopped. */
    int position() {
        return pos;
    }

    private SshHost sshHost() throws Malformed {
        Optional<String> user = part("@");
        pos++; // the '@' that made this an ssh entry
        int hostAt = pos;
        Optional<String> host = part(HOST_END);
        if (host.isEmpty()) {
            throw new Malformed(hostAt, "an ssh host needs a host name after '@'");
        }
        int limit = multiplier(TcpHost.DEFAULT_LIMIT);
        Optional<String> command = Optional.empty();
        if (at(':')) {
            pos++;
            command = part(" \t\n\r\f,");
        }
        return new SshHost(entry, user, host.get(), limit, command, options());
    }

    private TcpHost tcpHost() throws Malformed {
        Optional<String> host;
        if (at('[')) {
            pos++;
            host = part("/] \t\n\r\f,");
            if (!at(']')) {
                throw new Malformed(pos, "an IPv6 address needs its closing ']'");
            }
            pos++;
        } else {
            host = part(HOST_END);
        }
        if (host.isEmpty()) {
            throw new Malformed(pos, "a tcp host needs a host name");
        }
        int limit = multiplier(TcpHost.DEFAULT_LIMIT);
        int port = TcpHost.DEFAULT_PORT;
        if (at(':')) {
            pos++;
            port = port();
        }
        limit = multiplier(limit);
        return new TcpHost(entry, host.get(), port, limit, options());
    }

    /** distcc's {@code strtol} port, ending at the entry's end, whitespace, {@code /} or {@code ,}. */
    private int port() throws Malformed {
        int start = pos;
        int end = CNumber.scan(entry, pos);
        boolean endOk = end == entry.length() || CNumber.isSpace(entry.charAt(end))
                || entry.charAt(end) == '/' || entry.charAt(end) == ',';
        long value = CNumber.value(entry, start, end);
        if (end == start || !endOk || value < 1 || value > 65535) {
            throw new Malformed(start, "invalid tcp port \"" + tail(start)
                    + "\": expected a number 1..65535 after ':'"
                    + (at(':') ? " (an IPv6 address needs brackets: [::1]:3632)" : ""));
        }
        pos = end;
        return (int) value;
    }

    /**
     * distcc's {@code dcc_parse_multiplier}: if the cursor is at {@code /} or {@code =}, reads the
     * number after it ({@code atoi}) and returns it; else returns {@code current} unchanged.
     * Only digits are consumed, so {@code /+4} reads 4 but leaves the cursor at {@code +}, as in
     * distcc.
     */
    int multiplier(int current) throws Malformed {
        if (!at('/') && !at('=')) {
            return current;
        }
        int start = pos;
        pos++;
        long value = CNumber.value(entry, pos, CNumber.scan(entry, pos));
        if (value == 0) {
            throw new Malformed(start, "bad limit \"" + tail(start) + "\": expected a number of"
                    + " jobs, at least 1, after '" + entry.charAt(start) + "'");
        }
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new Malformed(start, "limit " + value + " out of range 1.." + Integer.MAX_VALUE);
        }
        while (pos < entry.length() && CNumber.isDigit(entry.charAt(pos))) {
            pos++;
        }
        return (int) value;
    }

    /** distcc's {@code dcc_parse_options}: any number of {@code ,OPTION}; unknown ones are fatal. */
    private HostOptions options() throws Malformed {
        int start = pos;
        boolean lzo = false;
        boolean cpp = false;
        boolean auth = false;
        boolean down = false;
        Optional<String> principal = Optional.empty();
        while (at(',')) {
            pos++;
            if (entry.startsWith("lzo", pos)) {
                lzo = true;
                pos += 3;
            } else if (entry.startsWith("down", pos)) {
                down = true;
                pos += 4;
            } else if (entry.startsWith("cpp", pos)) {
                cpp = true;
                pos += 3;
            } else if (entry.startsWith("auth", pos)) {
                auth = true;
                pos += 4;
                if (at('=')) {
                    pos++;
                    principal = part(HOST_END);
                }
            } else {
                throw new Malformed(pos - 1, "unrecognized option \"" + tail(pos - 1)
                        + "\": expected ,lzo ,cpp ,auth[=NAME] or ,down");
            }
        }
        if (cpp && !lzo) {
            throw new Malformed(start, "pump mode (',cpp') requires compression (',lzo')");
        }
        return new HostOptions(lzo, cpp, auth, auth ? principal : Optional.empty(), down);
    }

    /** distcc's {@code dcc_dup_part}: the text up to a stop character, or empty (cursor stays). */
    private Optional<String> part(String stops) {
        int start = pos;
        while (pos < entry.length() && stops.indexOf(entry.charAt(pos)) < 0) {
            pos++;
        }
        return pos == start ? Optional.empty() : Optional.of(entry.substring(start, pos));
    }

    private boolean at(char c) {
        return pos < entry.length() && entry.charAt(pos) == c;
    }

    private String tail(int from) {
        return entry.substring(from);
    }
}
