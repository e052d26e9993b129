package cache.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code CACHEDIR.TAG}, the <a href="https://bford.info/cachedir/">cache directory tag</a> that
 * backup and archiving tools ({@code tar --exclude-caches}, borg, restic) look for to leave a
 * directory out, as ccache writes it in its cache directory and in a {@code file:} remote storage.
 */
public final class CacheDirTag {

    public static final String NAME = "CACHEDIR.TAG";

    /** The standard's signature line, then ccache's comment with our name. */
    static final String CONTENT = "Signature: 8a477f597d28d172789f06886806bc55\n"
            + "# This file is a cache directory tag created by cache.\n"
            + "# For information about cache directory tags, see:\n"
            + "#\thttp://www.brynosaurus.com/cachedir/\n";

    private CacheDirTag() {}

    /**
     * Writes {@code dir/CACHEDIR.TAG} unless something of that name is there; whole or not at all
     * (a temporary file renamed into place), with mode 0666 less {@code umask} (negative: the
     * process's umask applies).
     */
    public static void ensure(Path dir, int umask) throws IOException {
        Path tag = dir.resolve(NAME);
        if (Files.exists(tag, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path tmp = dir.resolve(NAME + ".tmp." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.writeString(tmp, CONTENT, StandardCharsets.US_ASCII);
            if (umask >= 0) {
                Files.setAttribute(tmp, "unix:mode", 0666 & ~umask);
            }
            try {
                Files.move(tmp, tag, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, tag);
            }
        } catch (FileAlreadyExistsException raced) {
            // another writer's tag stands
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
