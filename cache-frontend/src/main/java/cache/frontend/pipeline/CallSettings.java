package cache.frontend.pipeline;

import cache.frontend.args.Invocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** How a call's ccache settings ({@code ignore_options}, {@code prefix_command}, {@code compiler}) shape it. */
final class CallSettings {

    private CallSettings() {}

    /** Words separated by blanks, as ccache splits {@code prefix_command} and check commands. */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * The invocation as the key sees it with {@code ignore_options} applied: an argument equal to
     * a listed option, or starting with one listed with a trailing {@code *}, is left out of the
     * hash (the compiler still gets it).
     */
    static Invocation withoutIgnored(Invocation inv, String ignoreOptions) {
        List<String> patterns = words(ignoreOptions);
        if (patterns.isEmpty()) {
            return inv;
        }
        return inv.withKeyArgs(keep(inv.compileArgs(), patterns), keep(inv.keyArgs(), patterns),
                keep(inv.directKeyArgs(), patterns));
    }

    private static List<String> keep(List<String> args, List<String> patterns) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            if (!ignored(a, patterns)) {
                out.add(a);
            }
        }
        return out;
    }

    static boolean ignored(String arg, List<String> patterns) {
        for (String p : patterns) {
            if (p.endsWith("*") ? arg.startsWith(p.substring(0, p.length() - 1)) : arg.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code prefix_command} words with the first one found on the caller's {@code PATH}, as
     * ccache does; a word that is not found is left for exec to report.
     */
    static List<String> prefix(String setting, Path cwd, Map<String, String> env) {
        List<String> w = words(setting);
        if (!w.isEmpty() && w.get(0).indexOf('/') < 0) {
            Path found = findCompiler(w.get(0), env.getOrDefault("PATH", "/usr/bin:/bin"), cwd, p -> false);
            if (found != null) {
                w.set(0, found.toString());
            }
        } else if (!w.isEmpty()) {
            w.set(0, cwd.resolve(w.get(0)).toString());
        }
        return w;
    }

    /**
     * The first executable file named {@code name} in the colon-separated {@code dirs} (relative
     * ones against {@code cwd}) that {@code skip} does not reject, or null.
     */
    static Path findCompiler(String name, String dirs, Path cwd, Predicate<Path> skip) {
        for (String dir : dirs.split(":")) {
            Path p = cwd.resolve(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p) && !skip.test(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /**
     * Whether {@code p} leads to this cache's client ({@code client}, when known, or any file
     * named {@code cache}) or to ccache: running it as the compiler would loop.
     */
    static boolean isCacheItself(Path p, Path client) {
        try {
            Path real = p.toRealPath();
            String file = real.getFileName().toString();
            return file.equals("cache") || file.equals("ccache") || (client != null && Files.isSameFile(real, client));
        } catch (IOException e) {
            return false;
        }
    }
}
