package cache.distributor.hosts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The scanner of distcc 3.4's {@code dcc_parse_hosts}: splits the list into entries, handles
 * comments and the global keywords, hands every other entry to {@link EntryParser} and decides
 * what the list keeps. One instance parses one list.
 *
 * <p>Decisions, each against distcc's behaviour:
 *
 * <ul>
 *   <li>Entries end at whitespace or {@code #} (distcc: {@code strcspn(where, " #\t\n\f\r")});
 *       {@code #} starts a comment to the end of the line ({@code \n} or {@code \r}). Text after a
 *       NUL is not read, as C never sees it.
 *   <li>A malformed host entry rejects the whole list: distcc's loop does
 *       {@code if ((ret = dcc_parse_tcp_host(curr, token_start)) != 0) return ret;}, and its
 *       caller then distributes nothing.
 *   <li>Keywords match by prefix, as distcc's {@code strncmp}: {@code --randomizeX} randomizes.
 *       A bad {@code --localslots}/{@code --localslots_cpp} value is reported and ignored; distcc
 *       logs an error and then, for {@code --localslots=x}, falls through to parse the entry as a
 *       TCP host named {@code --localslots=x}, which cannot resolve; for {@code --localslots_cpp}
 *       it ignores the entry.
 *   <li>{@code +zeroconf} (exactly) is distcc's Avahi discovery; reported as unsupported.
 *   <li>The list has no hosts (a {@link HostProblem.Kind#NO_HOSTS} problem) exactly when distcc
 *       warns "contained no hosts": no host entry at all; {@code ,down}, unsupported and
 *       {@code +zeroconf} entries count as entries, since each already says why it is unused.
 * </ul>
 */
final class HostListParser {

    /** Where an entry ends (distcc's scanner set). */
    private static final String ENTRY_END = " #\t\n\f\r";

    private final String text;
    private final String source;
    private final List<HostSpec> hosts = new ArrayList<>();
    private final List<HostProblem> problems = new ArrayList<>();
    private final Set<String> reportedUnsupported = new HashSet<>();
    private boolean randomize;
    private int localSlots = HostList.DEFAULT_LOCAL_SLOTS;
    private int localSlotsCpp = HostList.DEFAULT_LOCAL_SLOTS_CPP;
    private int entries;

    HostListParser(String text, String source) {
        this.source = source;
        int nul = text.indexOf('\0');
        this.text = nul < 0 ? text : text.substring(0, nul);
        if (nul >= 0) {
            problem(HostProblem.Kind.IGNORED, "", nul, "text after a NUL character is ignored");
        }
    }

    HostList parse() {
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++;
                }
            } else if (CNumber.isSpace(c)) {
                i++;
            } else {
                int end = i;
                while (end < text.length() && ENTRY_END.indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                if (!entry(text.substring(i, end), i)) {
                    return HostList.withoutHosts(problems.subList(problems.size() - 1, problems.size()));
                }
                i = end;
            }
        }
        if (entries == 0) {
            problems.add(new HostProblem(HostProblem.Kind.NO_HOSTS, "", 0, 0,
                    source + " contained no hosts; can't distribute work, compiling locally"));
        }
        return new HostList(hosts, randomize, localSlots, localSlotsCpp, problems);
    }

    /** Handles one entry starting at {@code offset}; false when it rejects the whole list. */
    private boolean entry(String entry, int offset) {
        if (entry.startsWith("--randomize")) {
            randomize = true;
            ignoreRest(entry, 11, offset);
            return true;
        }
        if (entry.startsWith("--localslots_cpp")) {
            localSlotsCpp = keyword(entry, 16, offset, localSlotsCpp);
            return true;
        }
        if (entry.startsWith("--localslots")) {
            localSlots = keyword(entry, 12, offset, localSlots);
            return true;
        }
        entries++;
        if (entry.equals("+zeroconf")) {
            unsupported(entry, offset, "zeroconf discovery ('+zeroconf') is not supported yet");
            return true;
        }
        EntryParser.Parsed parsed;
        try {
            parsed = EntryParser.parse(entry);
        } catch (EntryParser.Malformed e) {
            problem(HostProblem.Kind.REJECTED, entry, offset + e.index, e.getMessage()
                    + "; the whole host list is rejected (as distcc does), compiling locally");
            return false;
        }
        HostSpec spec = parsed.spec();
        ignoreRest(entry, parsed.end(), offset);
        if (spec instanceof LocalHost) {
            hosts.add(spec);
        } else if (spec instanceof SshHost ssh) {
            if (!ssh.options().down()) {
                unsupported(entry, offset, "ssh hosts ('@') are not supported yet");
            }
        } else if (spec instanceof TcpHost tcp && !tcp.options().down()) {
            if (tcp.options().cpp()) {
                unsupported(entry, offset, "pump mode (',cpp') is not supported yet");
            } else if (tcp.options().auth()) {
                unsupported(entry, offset, "GSS-API authentication (',auth') is not supported yet");
            } else {
                hosts.add(spec);
            }
        }
        return true;
    }

    /** A {@code --localslots[_cpp]} value: {@code /N} or {@code =N}; bad values keep {@code current}. */
    private int keyword(String entry, int nameLength, int offset, int current) {
        String name = entry.substring(0, nameLength);
        EntryParser p = new EntryParser(entry, nameLength);
        try {
            int value = p.multiplier(current);
            if (p.position() == nameLength) {
                problem(HostProblem.Kind.IGNORED, entry, offset + nameLength,
                        name + " needs a value (" + name + "=N or " + name + "/N); keeping " + current);
                return current;
            }
            ignoreRest(entry, p.position(), offset);
            return value;
        } catch (EntryParser.Malformed e) {
            problem(HostProblem.Kind.IGNORED, entry, offset + e.index,
                    e.getMessage() + "; " + name + " stays " + current);
            return current;
        }
    }

    private void ignoreRest(String entry, int end, int offset) {
        if (end < entry.length()) {
            problem(HostProblem.Kind.IGNORED, entry, offset + end, "ignoring \"" + entry.substring(end)
                    + "\" after \"" + entry.substring(0, end) + "\" (distcc ignores it too)");
        }
    }

    private void unsupported(String entry, int offset, String why) {
        if (reportedUnsupported.add(entry)) {
            problem(HostProblem.Kind.UNSUPPORTED, entry, offset, why + "; skipping this host");
        }
    }

    private void problem(HostProblem.Kind kind, String entry, int offset, String what) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = offset - lineStart + 1;
        String quoted = entry.isEmpty() ? "" : " \"" + entry + "\":";
        problems.add(new HostProblem(kind, entry, line, column,
                source + ":" + line + ":" + column + ":" + quoted + " " + what));
    }
}
