package cache.frontend.args;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code -fdebug-prefix-map=OLD=NEW} and {@code -ffile-prefix-map=OLD=NEW} in keys, so that a
 * build that maps its own directory away ({@code -fdebug-prefix-map=$PWD=.}) shares hits between
 * checkouts, as ccache 4.7 does.
 *
 * <p>The compiler writes the working directory into debug info after applying the maps (the
 * last matching one wins), so the key holds the cwd as mapped. ccache leaves a map's value out
 * of its keys; here only an {@code OLD} that is the working directory or lies under it is keyed
 * relative to it ({@code <cwd>/sub}), which keeps apart maps that change what the compiler
 * writes and merges only those that do the same to the same tree.
 */
public final class PrefixMaps {

    /** The placeholder for the working directory in a keyed map's {@code OLD}. */
    static final String CWD = "<cwd>";

    private static final List<String> MAPS = List.of("-fdebug-prefix-map=", "-ffile-prefix-map=");

    private PrefixMaps() {}

    /** The working directory as the compiler writes it into debug info: the last matching map applied. */
    public static String mappedCwd(List<String> args, String cwd) {
        String out = cwd;
        for (String a : args) {
            String[] m = split(a);
            if (m != null && !m[0].isEmpty() && cwd.startsWith(m[0])) { // gcc and ccache: a plain prefix
                out = m[1] + cwd.substring(m[0].length());
            }
        }
        return out;
    }

    /** {@code args} with each map's {@code OLD} under {@code cwd} written relative to it. */
    public static List<String> keyed(List<String> args, String cwd) {
        List<String> out = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String[] m = split(a);
            if (m != null && under(m[0], cwd)) {
                if (out == null) {
                    out = new ArrayList<>(args);
                }
                out.set(i, a.substring(0, a.indexOf('=') + 1) + CWD + m[0].substring(cwd.length()) + "=" + m[1]);
            }
        }
        return out == null ? args : List.copyOf(out);
    }

    /** {@code {OLD, NEW}} of a map argument, or null. */
    private static String[] split(String a) {
        for (String p : MAPS) {
            if (a.startsWith(p)) {
                String v = a.substring(p.length());
                int eq = v.indexOf('=');
                return eq < 0 ? null : new String[] {v.substring(0, eq), v.substring(eq + 1)};
            }
        }
        return null;
    }

    /** Whether {@code path} is {@code dir} or below it. */
    private static boolean under(String path, String dir) {
        if (dir.isEmpty() || !path.startsWith(dir)) {
            return false;
        }
        return path.length() == dir.length() || dir.endsWith("/") || path.charAt(dir.length()) == '/';
    }
}
