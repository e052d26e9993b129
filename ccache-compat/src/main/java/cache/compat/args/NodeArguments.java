package cache.compat.args;

import java.util.List;

/**
 * Which compile arguments a remote node runs, decided from the node column of
 * {@link OptionTable}: the one rule the node enforces and the client consults before it
 * sends a compile, so a client never sends what a node refuses.
 *
 * <p>An argument is refused when its row's {@link NodeVerdict} is a refusing one; a
 * {@link NodeVerdict#VALUE} or {@link NodeVerdict#INCLUDE_DIR} row takes its value (joined, or
 * the next argument) and checks it; {@link NodeVerdict#PATH_MAP} arguments may hold paths.
 * Everything else is allowed when it starts with {@code -} and names no path (no {@code /});
 * a bare word is an input file and a {@code @file} a response file, both refused, and so are
 * assembler options ({@code -Wa,}) outside a short list that writes no file and loads nothing.
 */
public final class NodeArguments {

    /** An argument the node will not run: {@code argument} as quoted to the client, and why. */
    public record Refused(String argument, String why) {
    }

    /** Assembler options passed with -Wa, that write no file and load nothing. */
    private static final List<String> SAFE_ASSEMBLER = List.of("--noexecstack", "--compress-debug-sections",
            "--compress-debug-sections=", "-mrelax-relocations=", "--generate-missing-build-notes=",
            "-mx86-used-note=", "--64", "--32");

    private NodeArguments() {}

    /** The first argument a node refuses, or {@code null} when it runs them all. */
    public static Refused firstRefused(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("@")) {
                return new Refused(a, "is a response file of the client's choosing");
            }
            if (!a.startsWith("-") || a.equals("-")) {
                return new Refused(a, "is an input of the client's choosing (the node writes the only input)");
            }
            if (a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0) {
                return new Refused(a, "holds a control character");
            }
            if (a.startsWith("-Wa,")) {
                Refused r = assembler(a);
                if (r != null) {
                    return r;
                }
                continue;
            }
            OptionTable.Option row = OptionTable.forNode(a);
            NodeVerdict v = row == null ? null : row.node();
            if (v != null && v.refused()) {
                return new Refused(a, v.why());
            }
            if (v == NodeVerdict.PATH_MAP) {
                continue;
            }
            if (v == NodeVerdict.VALUE || v == NodeVerdict.INCLUDE_DIR) {
                String value = a.substring(row.name().length());
                if (!row.nodePrefix() || value.isEmpty()) {
                    if (i + 1 >= args.size()) {
                        return new Refused(a, "needs a value");
                    }
                    value = args.get(++i);
                }
                if (v == NodeVerdict.INCLUDE_DIR && (value.startsWith("/") || value.contains(".."))) {
                    return new Refused(a + " " + value, "names a directory outside the node's private directory");
                }
                // A driver that does not know the option (gcc and -target) takes its value for an
                // input file: only -D and -U values, which every driver consumes, may hold paths.
                if (v == NodeVerdict.VALUE && !row.name().equals("-D") && !row.name().equals("-U")
                        && value.indexOf('/') >= 0) {
                    return new Refused(a + " " + value, "names a path");
                }
                if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
                    return new Refused(a, "holds a control character");
                }
                continue;
            }
            if (a.indexOf('/') >= 0) {
                return new Refused(a, "names a path");
            }
        }
        return null;
    }

    private static Refused assembler(String a) {
        for (String part : a.substring(4).split(",", -1)) {
            boolean ok = false;
            for (String safe : SAFE_ASSEMBLER) {
                if (safe.endsWith("=") ? part.startsWith(safe) && part.indexOf('/') < 0 : part.equals(safe)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                return new Refused(a, "passes an assembler option the node does not allow ('" + part + "')");
            }
        }
        return null;
    }
}
