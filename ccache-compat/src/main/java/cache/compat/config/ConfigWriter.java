package cache.compat.config;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Rewrites a configuration file for {@code ccache -o key=value}, {@code -M} and {@code -F}, as
 * ccache 4.7 does (checked against Debian's 4.7.5):
 *
 * <ul>
 *   <li>The key must be known ({@code secondary_storage} included) and the value valid in file
 *       syntax, with {@code $VAR} resolved from the caller's environment; otherwise nothing is
 *       written.
 *   <li>Every line whose key is exactly the given name becomes {@code key = value}; all other
 *       lines, comments and unknown keys included, are kept byte for byte. Without such a line,
 *       {@code key = value} is appended. A line without {@code =} aborts with
 *       {@code path:line: missing equal sign}.
 *   <li>Every line ends with a newline afterwards; the value is written as given (not trimmed,
 *       not normalised: {@code -M 1.25G} writes {@code 1.25G}).
 *   <li>Missing parent directories are created; the new content goes to a temporary file in the
 *       same directory, renamed over the old one, so readers see the old or the new file. The
 *       file gets default permissions, as ccache's rewrite does.
 * </ul>
 */
public final class ConfigWriter {

    private ConfigWriter() {}

    /**
     * {@code ccache -o KEY=VALUE}: splits at the first {@code =} after the first character.
     *
     * @throws ConfigException {@code missing equal sign in "arg"}, an unknown key, an invalid
     *     value, or a failed write
     */
    public static void setFromArgument(Path file, String keyEqualsValue, Map<String, String> env)
            throws ConfigException {
        int eq = keyEqualsValue.indexOf('=', 1);
        if (eq < 0) {
            throw new ConfigException("missing equal sign in \"" + keyEqualsValue + "\"");
        }
        set(file, keyEqualsValue.substring(0, eq), keyEqualsValue.substring(eq + 1), env);
    }

    /** Sets {@code key} (a name as in the file) to {@code value} in {@code file}. */
    public static void set(Path file, String key, String value, Map<String, String> env) throws ConfigException {
        ConfigKey k = ConfigKey.forName(key).orElseThrow(() -> Config.unknownKey(key));
        new Config.Builder().set(k, value, Origin.DEFAULT, env::get, null, false);
        rewrite(file, key, value);
    }

    /**
     * {@code ccache -M SIZE}: stores {@code max_size} and returns what ccache prints
     * ({@code Set cache size limit to 1.0 GB}, or {@code Unset cache size limit} for 0).
     */
    public static String setMaxSize(Path file, String size, Map<String, String> env) throws ConfigException {
        long bytes = ValueSyntax.parseSize(size);
        set(file, ConfigKey.MAX_SIZE.key(), size, env);
        return bytes == 0 ? "Unset cache size limit\n"
                : "Set cache size limit to " + ValueSyntax.formatSizeHuman(bytes) + "\n";
    }

    /**
     * {@code ccache -F COUNT}: stores {@code max_files} and returns what ccache prints
     * ({@code Set cache file limit to 5}, or {@code Unset cache file limit} for 0).
     */
    public static String setMaxFiles(Path file, String count, Map<String, String> env) throws ConfigException {
        long files = ValueSyntax.parseUnsigned(count);
        set(file, ConfigKey.MAX_FILES.key(), count, env);
        return files == 0 ? "Unset cache file limit\n"
                : "Set cache file limit to " + Long.toUnsignedString(files) + "\n";
    }

    private static void rewrite(Path file, String key, String value) throws ConfigException {
        if (file.toString().isEmpty()) {
            throw new ConfigException("failed to write to : No such file or directory"); // CCACHE_CONFIGPATH=
        }
        // ISO-8859-1 maps bytes to chars one to one, so untouched lines keep their exact bytes.
        String old;
        try {
            old = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            old = "";
        } catch (IOException e) {
            throw new ConfigException("failed to open " + file + ": " + reason(e));
        }
        String newLine = new String((key + " = " + value + "\n").getBytes(StandardCharsets.UTF_8),
                StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder();
        boolean found = false;
        for (ConfigFile.Line line : ConfigFile.parse(old).lines()) {
            if (line.error() != null) {
                throw new ConfigException(file + ":" + line.number() + ": " + line.error());
            }
            if (key.equals(line.key())) {
                out.append(newLine);
                found = true;
            } else {
                out.append(line.text()).append('\n');
            }
        }
        if (!found) {
            out.append(newLine);
        }
        writeAtomically(file, out.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void writeAtomically(Path file, byte[] content) throws ConfigException {
        Path tmp = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            while (tmp == null) {
                Path candidate = parent.resolve(file.getFileName() + ".tmp."
                        + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
                // No explicit permissions: the file is created 0666 minus the umask, like ccache's.
                try (OutputStream os = Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    tmp = candidate;
                    os.write(content);
                } catch (FileAlreadyExistsException e) {
                    // another writer's temporary file; pick a new name
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new ConfigException("failed to write to " + file + ": " + reason(e));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; the message says why
                }
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
