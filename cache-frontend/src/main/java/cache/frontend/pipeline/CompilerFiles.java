package cache.frontend.pipeline;

import cache.compat.config.CompilerType;
import cache.frontend.key.CompilerFamily;
import cache.hashing.FileStat;
import cache.hashing.FileWatch;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What every call learns from its compiler's file: its stat data (ccache's {@code compiler_check
 * = mtime} identity), the family ccache guesses from the names its links lead to, and whether
 * it is distcc's masquerade link. That is a dozen system calls per call (a stat, an lstat and a
 * readlink per link, a realpath), the same answers every time.
 *
 * <p>With the {@link FileWatch}, the answers are kept while inotify reports no change of what
 * they were read from: every path the guess walks (the compiler as named and each link it
 * leads to) is stat'ed through a session, which watches each directory entry its resolution
 * passes and the file it ends at. A link retargeted, a compiler upgraded (written, or renamed
 * over by the package manager), a directory renamed: an event drops the memo and the next call
 * reads everything again. Until every path is watched (the watch registers paths in the
 * background), and without the watch, every call reads them itself, as before.
 */
final class CompilerFiles {

    /**
     * @param stat the compiler's stat data following links ({@code null}: it does not exist)
     * @param guess ccache's guess of its family ({@link CompilerFamily#guess})
     * @param distcc the real {@code distcc} when it is distcc's masquerade link, else null
     */
    record Facts(FileStat stat, CompilerType guess, Path distcc) {}

    private record Kept(Facts facts, FileWatch.Dependencies dependencies) {}

    private final FileWatch watch;
    private final Cache<Path, Kept> kept = Caffeine.newBuilder().maximumSize(1_000).build();

    /** @param watch inotify's word on changes; {@code null}: every call reads the files */
    CompilerFiles(FileWatch watch) {
        this.watch = watch;
    }

    /** The watch these facts rest on, or {@code null}. */
    FileWatch watch() {
        return watch;
    }

    /**
     * The facts of {@code compiler} (absolute; a relative path is read every time), as they were
     * at the latest when the call began at {@code since} ({@link System#nanoTime()}).
     */
    Facts of(Path compiler, long since) throws IOException {
        if (watch == null || !compiler.isAbsolute()) {
            return read(compiler, null);
        }
        FileWatch.Session session = watch.session(since); // every change made before the call began is known
        Kept k = kept.getIfPresent(compiler);
        if (k != null && k.dependencies().unchanged()) {
            return k.facts();
        }
        session.record();
        Facts f = read(compiler, session);
        FileWatch.Dependencies d = session.recorded();
        if (d != null) { // every answer came from a watched path
            kept.put(compiler, new Kept(f, d));
        }
        return f;
    }

    private static Facts read(Path compiler, FileWatch.Session session) throws IOException {
        FileStat stat = stat(compiler, session);
        // the guess follows the links as named; each one's own resolution is watched through its stat
        CompilerType guess = CompilerFamily.guess(compiler, session == null ? link -> {} : link -> stat(link, session));
        return new Facts(stat, guess, stat == null ? null : DistccMasquerade.distccOf(compiler));
    }

    private static FileStat stat(Path p, FileWatch.Session session) throws IOException {
        return session == null ? FileStat.ofOrNull(p) : session.statOrNull(p.toString());
    }
}
