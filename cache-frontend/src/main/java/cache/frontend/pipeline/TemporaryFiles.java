package cache.frontend.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The temporary files of a call ({@code temporary_dir}): the preprocessor's output, which with
 * {@code run_second_cpp = false} is also what the compiler compiles. They go under the call's
 * {@code temporary_dir} (by default {@code $XDG_RUNTIME_DIR/ccache-tmp} or
 * {@code <cache_dir>/tmp}, relative values taken against the call's working directory), which is
 * created with mode 0700 when missing. A directory that cannot be used (not creatable, not a
 * directory, not writable, full) never fails a build: the file then goes to the daemon's own
 * temporary directory, and the log says why, once per directory.
 *
 * <p>Compile outputs are not staged here: the compiler writes them at the paths the call names,
 * as with ccache, because their names end up inside them (dependency targets, {@code .dwo} and
 * {@code .gcno} references); stored outputs replayed on a hit are written next to their final
 * path and renamed into place ({@code OutputFiles}), since a rename cannot cross file systems.
 */
final class TemporaryFiles {

    private static final Logger LOG = Logger.getLogger(TemporaryFiles.class.getName());

    private final Path fallback;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** @param fallback the daemon's own temporary directory */
    TemporaryFiles(Path fallback) {
        this.fallback = fallback;
    }

    /** A new empty file (mode 0600) named {@code <prefix><random><suffix>} under the call's temporary directory. */
    Path create(CompileRequest req, String prefix, String suffix) throws IOException {
        String configured = req.config().temporaryDir();
        if (!configured.isEmpty()) {
            Path dir = null;
            try {
                dir = req.cwd().resolve(configured);
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
                return Files.createTempFile(dir, prefix, suffix);
            } catch (IOException | InvalidPathException | UnsupportedOperationException | SecurityException e) {
                if (warned.add(configured)) {
                    LOG.warning("temporary_dir " + configured + " cannot be used (" + e
                            + "); using " + fallback + " instead");
                }
            }
        }
        return Files.createTempFile(fallback, prefix, suffix);
    }
}
