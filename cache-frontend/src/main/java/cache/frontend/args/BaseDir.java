package cache.frontend.args;

import cache.compat.args.OptionTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ccache's {@code base_dir}: absolute paths under the base directory are rewritten relative to
 * the working directory, in the arguments that are hashed and in the command that is run, so
 * two checkouts of one project in different places produce the same keys and share hits.
 *
 * <p>Rewritten are: arguments that are absolute paths (sources, {@code -o} and {@code -MF}
 * values …), the separate argument of an option that takes a path ({@code -I /p/inc}), and
 * the joined argument of such an option ({@code -I/p/inc}, {@code --sysroot=/p/sys}). A
 * relative path is used only when it names the same file as the absolute one (a symbolic link
 * on the way would make {@code ..} go elsewhere); otherwise the argument stays as it was.
 * {@code -MT}/{@code -MQ} values are rule targets, not files: they stay as typed (as in ccache).
 */
public final class BaseDir {

    private BaseDir() {}

    /**
     * {@code args} with paths under {@code baseDir} made relative to {@code cwd}; {@code args}
     * itself when {@code baseDir} is empty or not absolute.
     */
    public static List<String> rewrite(List<String> args, String baseDir, Path cwd) {
        if (baseDir == null || baseDir.isEmpty() || !baseDir.startsWith("/")) {
            return args;
        }
        List<String> out = new ArrayList<>(args.size());
        boolean nextIsPath = false;
        boolean nextIsTarget = false;
        for (String a : args) {
            if (nextIsTarget) {
                out.add(a); // a rule target is text the compiler writes, not a file it opens (ccache keeps it)
                nextIsTarget = false;
                continue;
            }
            if (nextIsPath) {
                out.add(relative(a, baseDir, cwd));
                nextIsPath = false;
                continue;
            }
            if (a.startsWith("/")) {
                out.add(relative(a, baseDir, cwd));
                continue;
            }
            if (a.equals("-MT") || a.equals("-MQ")) {
                nextIsTarget = true;
                out.add(a);
                continue;
            }
            OptionTable.Option exact = OptionTable.exact(a);
            if (exact != null) {
                nextIsPath = exact.has(OptionTable.TAKES_ARG) && exact.has(OptionTable.TAKES_PATH);
                out.add(a);
                continue;
            }
            OptionTable.Option joined = a.startsWith("-") ? OptionTable.joined(a) : null;
            if (joined != null && joined.has(OptionTable.TAKES_PATH)) {
                String value = a.substring(joined.name().length());
                out.add(joined.name() + relative(value, baseDir, cwd));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * {@code path} relative to the working directory when it lies under {@code baseDir}, else
     * itself. As ccache 4.7's {@code make_relative_path}: the candidates are the path and its
     * real path (symbolic links resolved), each relative to the apparent directory ({@code
     * cwd}, from {@code PWD}) and to the real one; the shortest that names the same file wins.
     */
    public static String relative(String path, String baseDir, Path cwd) {
        if (!path.startsWith("/") || !under(path, baseDir)) {
            return path;
        }
        Path abs = Path.of(path).normalize();
        Path apparent = cwd.normalize();
        Path actual = realOrNull(apparent);
        Set<Path> targets = new LinkedHashSet<>();
        targets.add(abs);
        Path realTarget = realOrNull(abs);
        if (realTarget == null && abs.getParent() != null) {
            Path realParent = realOrNull(abs.getParent()); // an output that does not exist yet
            realTarget = realParent == null ? null : realParent.resolve(abs.getFileName());
        }
        if (realTarget != null) {
            targets.add(realTarget);
        }
        Set<Path> bases = new LinkedHashSet<>();
        if (actual != null) {
            bases.add(actual);
        }
        bases.add(apparent);
        List<String> candidates = new ArrayList<>();
        for (Path t : targets) {
            for (Path b : bases) {
                try {
                    String r = b.relativize(t).toString();
                    candidates.add(r.isEmpty() ? "." : r);
                } catch (IllegalArgumentException e) {
                    // not comparable: no candidate
                }
            }
        }
        candidates.sort(java.util.Comparator.comparingInt(String::length));
        Path runIn = actual != null ? actual : apparent;
        for (String r : candidates) {
            if (sameFile(runIn.resolve(r), Path.of(path))) {
                return r;
            }
        }
        return path;
    }

    private static Path realOrNull(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static boolean under(String path, String baseDir) {
        String base = baseDir.endsWith("/") ? baseDir : baseDir + "/";
        return path.startsWith(base) || path.equals(baseDir);
    }

    /**
     * Whether both spellings reach the same file; for a file that does not exist yet (an
     * output), whether they reach the same directory and name it the same.
     */
    private static boolean sameFile(Path viaRelative, Path absolute) {
        try {
            if (Files.exists(absolute)) {
                return Files.exists(viaRelative) && Files.isSameFile(viaRelative, absolute);
            }
            Path a = absolute.getParent();
            Path b = viaRelative.getParent();
            return a != null && b != null && Files.isDirectory(a) && Files.isSameFile(a, b)
                    && absolute.getFileName().equals(viaRelative.getFileName());
        } catch (IOException e) {
            return false;
        }
    }
}
