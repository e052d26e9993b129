package cache.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A node's shared secret as a file holds it, for both ends: {@code cached --auth-secret-file}
 * and the daemon's farm ({@code CACHE_NODE_SECRET_FILE}). The same file on both ends gives the
 * same bytes.
 */
public final class SharedSecret {

    private static final Logger LOG = Logger.getLogger(SharedSecret.class.getName());

    private SharedSecret() {}

    /** The file's text without leading or trailing whitespace; warns when others may read it. */
    public static byte[] read(Path file) throws IOException {
        byte[] secret = readQuietly(file);
        if (readableByOthers(file)) {
            LOG.warning("shared secret file " + file + " is readable by others; chmod 600 it");
        }
        return secret;
    }

    /** {@link #read} without the warning (for a caller that reads it again and again and warns once). */
    public static byte[] readQuietly(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (s.isEmpty()) {
            throw new IOException("shared secret file " + file + " is empty");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the group or others may read {@code file} (false where permissions are not POSIX). */
    public static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }
}
