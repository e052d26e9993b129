package cache.compat.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * glibc's {@code getopt_long} as ccache calls it, reduced to what its option table uses
 * (no optional arguments, no {@code -W}, no {@code long_only}): argument permutation (operands
 * anywhere are skipped, {@code --} ends options), bundled short options ({@code -svv},
 * {@code -M1G}), unique prefixes of long options ({@code --max-s=1G}), and glibc 2.36's exact
 * error messages, which ccache prints unchanged before exiting with status 1.
 *
 * <p>Why not picocli, which the rest of the project uses for command lines: it has no notion
 * of ccache's two passes over the same arguments, rejects operands ccache ignores, and words
 * every error differently ("Unknown option", "Missing required parameter"). Matching ccache's
 * output byte for byte is the requirement here, and getopt_long's behaviour is small enough
 * to state exactly.
 */
final class GetoptLong {

    /** One recognised option with its argument (null when it takes none). */
    record Parsed(CcacheOption option, String argument) {}

    /** Either the options in order, or the message getopt printed for the first bad one. */
    record Result(List<Parsed> options, String error) {}

    private record LongEntry(String name, CcacheOption option, boolean exactOnly) {}

    private static final List<LongEntry> LONG_TABLE = new ArrayList<>();

    static {
        for (CcacheOption o : CcacheOption.values()) {
            for (String name : o.longNames()) {
                LONG_TABLE.add(new LongEntry(name, o, !o.isCcacheOption()));
            }
        }
    }

    private GetoptLong() {}

    static Result parse(String program, List<String> args) {
        List<Parsed> out = new ArrayList<>();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i++);
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-") || arg.length() == 1) {
                continue; // an operand; ccache ignores operands after an option
            }
            if (arg.startsWith("--")) {
                String body = arg.substring(2);
                int eq = body.indexOf('=');
                String name = eq < 0 ? body : body.substring(0, eq);
                LongEntry found = null;
                for (LongEntry e : LONG_TABLE) {
                    if (e.name.equals(name)) {
                        found = e;
                        break;
                    }
                }
                if (found == null) {
                    List<LongEntry> ambiguous = new ArrayList<>();
                    for (LongEntry e : LONG_TABLE) {
                        if (e.exactOnly || !e.name.startsWith(name)) {
                            continue;
                        }
                        if (found == null) {
                            found = e;
                        } else if (e.option != found.option) {
                            if (ambiguous.isEmpty()) {
                                ambiguous.add(found);
                            }
                            ambiguous.add(e);
                        }
                    }
                    if (!ambiguous.isEmpty()) {
                        StringBuilder msg = new StringBuilder(program).append(": option '--").append(body)
                                .append("' is ambiguous; possibilities:");
                        for (LongEntry e : ambiguous) {
                            msg.append(" '--").append(e.name).append('\'');
                        }
                        return error(msg.append('\n').toString());
                    }
                }
                if (found == null) {
                    return error(program + ": unrecognized option '--" + body + "'\n");
                }
                String value = null;
                if (eq >= 0) {
                    if (!found.option.takesArgument()) {
                        return error(program + ": option '--" + found.name + "' doesn't allow an argument\n");
                    }
                    value = body.substring(eq + 1);
                } else if (found.option.takesArgument()) {
                    if (i == args.size()) {
                        return error(program + ": option '--" + found.name + "' requires an argument\n");
                    }
                    value = args.get(i++);
                }
                out.add(new Parsed(found.option, value));
                continue;
            }
            for (int j = 1; j < arg.length(); j++) {
                char c = arg.charAt(j);
                CcacheOption o = shortOption(c);
                if (o == null) {
                    return error(program + ": invalid option -- '" + c + "'\n");
                }
                if (!o.takesArgument()) {
                    out.add(new Parsed(o, null));
                    continue;
                }
                String value;
                if (j + 1 < arg.length()) {
                    value = arg.substring(j + 1);
                } else if (i < args.size()) {
                    value = args.get(i++);
                } else {
                    return error(program + ": option requires an argument -- '" + c + "'\n");
                }
                out.add(new Parsed(o, value));
                break;
            }
        }
        return new Result(List.copyOf(out), null);
    }

    private static CcacheOption shortOption(char c) {
        for (CcacheOption o : CcacheOption.values()) {
            if (o.shortName() != 0 && o.shortName() == c) {
                return o;
            }
        }
        return null;
    }

    private static Result error(String message) {
        return new Result(List.of(), message);
    }
}
