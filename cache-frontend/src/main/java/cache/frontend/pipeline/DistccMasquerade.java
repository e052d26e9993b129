package cache.frontend.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * A compiler found behind distcc's masquerade link: Portage's {@code FEATURES="distcc ccache"}
 * puts {@code PATH=<cache links>:/usr/lib/distcc:/usr/bin}, so the {@code gcc} after our link is
 * distcc's {@code /usr/lib/distcc/gcc}. Running that link as the compiler would key every call on
 * distcc's binary instead of gcc's and hand every miss to a {@code distcc} process; instead the call
 * takes the real compiler that distcc itself would run (the first of that name on {@code PATH}
 * after the link's directory, as distcc's {@code dcc_support_masquerade} trims {@code PATH}) and
 * {@code distcc} as its {@code prefix_command}, which is the ccache + distcc recipe
 * ({@code CCACHE_PREFIX=distcc}): the daemon's distributor takes the misses, or the real
 * {@code distcc} does with {@code CACHE_DISTRIBUTOR=off}. Never distcc inside distcc: a second
 * masquerade link further on {@code PATH} is skipped like our own links.
 *
 * <p>A link is distcc's when its target's real file is named {@code distcc}, which is how Debian,
 * Gentoo and Arch install them ({@code gcc -> ../../bin/distcc}).
 */
final class DistccMasquerade {

    /**
     * @param realCompiler the compiler distcc would run behind the link
     * @param distcc the real {@code distcc} the link leads to
     */
    record Behind(Path realCompiler, Path distcc) {}

    private DistccMasquerade() {}

    /** The real {@code distcc} when {@code compiler} is a masquerade link to it, else null. */
    static Path distccOf(Path compiler) {
        try {
            if (!Files.isSymbolicLink(compiler)) {
                return null;
            }
            Path real = compiler.toRealPath();
            return real.getFileName() != null && real.getFileName().toString().equals("distcc") ? real : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What is behind {@code compiler} when it is distcc's masquerade link, or null (not such a link,
     * or no real compiler of its name on {@code path} past it: the link then runs as found, and
     * distcc says what is missing). {@code skip} rejects links back to this cache.
     */
    static Behind resolve(Path compiler, String path, Path cwd, Predicate<Path> skip) {
        return resolve(compiler, distccOf(compiler), path, cwd, skip);
    }

    /** {@link #resolve(Path, String, Path, Predicate)} with {@link #distccOf}{@code (compiler)} known. */
    static Behind resolve(Path compiler, Path distcc, String path, Path cwd, Predicate<Path> skip) {
        if (distcc == null || compiler.getFileName() == null) {
            return null;
        }
        String name = compiler.getFileName().toString();
        if (name.equals("distcc")) {
            return null;
        }
        List<String> dirs = List.of(path.split(":", -1));
        int after = 0;
        for (int i = 0; i < dirs.size(); i++) {
            if (sameDirectory(cwd.resolve(dirs.get(i).isEmpty() ? "." : dirs.get(i)), compiler.getParent())) {
                after = i + 1;
                break;
            }
        }
        String rest = String.join(":", dirs.subList(after, dirs.size()));
        if (rest.isEmpty()) {
            return null;
        }
        Path real = CallSettings.findCompiler(name, rest, cwd, p -> skip.test(p) || distccOf(p) != null);
        return real == null ? null : new Behind(real, distcc);
    }

    /**
     * {@code prefix_command} with distcc in it: distcc alone when the user set none, else the
     * user's words followed by distcc, unless a word already is distcc.
     */
    static String prefixWith(String prefix, Path distcc) {
        List<String> words = CallSettings.words(prefix);
        for (String w : words) {
            Path p = Path.of(w).getFileName();
            if (p != null && p.toString().equals("distcc")) {
                return prefix;
            }
        }
        return words.isEmpty() ? distcc.toString() : prefix.strip() + " " + distcc;
    }

    private static boolean sameDirectory(Path a, Path b) {
        if (b == null) {
            return false;
        }
        try {
            return Files.isSameFile(a, b);
        } catch (IOException | RuntimeException e) {
            return a.normalize().equals(b.normalize());
        }
    }
}
