package cache.hashing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Content hashes of files, remembered by {@link FileStat}: a file whose device, inode, size,
 * mtime and ctime are unchanged is not read again. The daemon is long-lived, so after the
 * first build every unchanged header costs one stat.
 *
 * <p>While hashing, the contents are also scanned for the time macros ({@code __DATE__},
 * {@code __TIME__}, {@code __TIMESTAMP__}), whose expansion is not in the file's bytes.
 */
public final class FileHashCache {

    /** Flags in {@link Hashed#flags()}. */
    public static final int DATE = 1;
    public static final int TIME = 2;
    public static final int TIMESTAMP = 4;
    /**
     * {@code __has_include} or {@code __has_include_next}: the file's meaning depends on whether
     * other files exist, which its bytes do not show.
     */
    public static final int HAS_INCLUDE = 8;
    /**
     * An {@code #include}, {@code #include_next} or {@code #import} whose argument does not
     * start with {@code <}: a quoted name (searched first next to this file) or a macro that
     * may expand to one. A file without it never makes the compiler look in its own directory.
     */
    public static final int QUOTE_INCLUDE = 16;
    /** The macros whose expansion is a time: {@link #DATE}, {@link #TIME}, {@link #TIMESTAMP}. */
    public static final int TIME_MACROS = DATE | TIME | TIMESTAMP;

    /** A file's digest, the stat it was taken under, and its flags ({@link #DATE} … {@link #QUOTE_INCLUDE}). */
    public record Hashed(Digest digest, FileStat stat, int flags) {}

    /**
     * A file changed this recently is hashed but not remembered: file timestamps come from a
     * coarse kernel clock, so a second write of the same size within one tick would leave the
     * stat data unchanged.
     */
    public static final long SETTLE_NANOS = 100_000_000L;

    private final Cache<FileStat, Hashed> cache;
    private final LongSupplier nowNanos;

    public FileHashCache(long maxEntries) {
        this(maxEntries, () -> {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        });
    }

    /** With {@code nowNanos} giving the wall clock in nanoseconds since the epoch (the clock file times use). */
    public FileHashCache(long maxEntries, LongSupplier nowNanos) {
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.nowNanos = nowNanos;
    }

    /**
     * Hashes {@code path}, reading it only when its stat data is new. Only a regular file is
     * read: a FIFO, a device or a directory throws (reading one could block or never end), and
     * the caller treats it as a file it cannot hash.
     */
    public Hashed hash(Path path) throws IOException {
        return hash(path, FileStat.of(path));
    }

    /**
     * {@link #hash(Path)} with the stat data from {@code watched} (remembered while unchanged)
     * instead of a stat, or from a stat when {@code watched} is null.
     */
    public Hashed hash(Path path, FileWatch.Session watched) throws IOException {
        return hash(path, watched == null ? FileStat.of(path) : watched.stat(path));
    }

    private Hashed hash(Path path, FileStat stat) throws IOException {
        Hashed known = cache.getIfPresent(stat);
        if (known != null) {
            return known;
        }
        if (!stat.regular()) {
            throw new IOException(path + " is not a regular file");
        }
        byte[] bytes = Files.readAllBytes(path);
        FileStat after = FileStat.of(path);
        Hashed h = new Hashed(Digest.of(bytes), after, timeMacros(bytes) | includes(bytes));
        long settled = nowNanos.getAsLong() - SETTLE_NANOS;
        if (after.equals(stat) && after.size() == bytes.length && stat.mtimeNanos() < settled
                && stat.ctimeNanos() < settled) {
            cache.put(stat, h); // only when nothing changed while reading, nor just before
        }
        return h;
    }

    /** Forgets everything (tests, and a cache clear). */
    public void invalidateAll() {
        cache.invalidateAll();
    }

    private static final byte[] DATE_WORD = "__DATE__".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIME_WORD = "__TIME__".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TIMESTAMP_WORD = "__TIMESTAMP__".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HAS_INCLUDE_WORD = "__has_include".getBytes(StandardCharsets.US_ASCII);

    /**
     * Which of the macros whose expansion is not in the file's bytes (time macros,
     * {@code __has_include}) occur in {@code b}: anywhere, comments included, because a false
     * positive only costs speed.
     */
    public static int timeMacros(byte[] b) {
        int flags = 0;
        for (int i = 0, n = b.length - 7; i < n; i++) {
            if (b[i] != '_' || b[i + 1] != '_') {
                continue;
            }
            if (matches(b, i, DATE_WORD)) {
                flags |= DATE;
            } else if (matches(b, i, TIMESTAMP_WORD)) {
                flags |= TIMESTAMP;
            } else if (matches(b, i, TIME_WORD)) {
                flags |= TIME;
            } else if (matches(b, i, HAS_INCLUDE_WORD)) {
                flags |= HAS_INCLUDE;
            }
        }
        return flags;
    }

    private static final byte[][] INCLUDE_WORDS = {
        "include_next".getBytes(StandardCharsets.US_ASCII),
        "include".getBytes(StandardCharsets.US_ASCII),
        "import".getBytes(StandardCharsets.US_ASCII),
    };

    /**
     * {@link #QUOTE_INCLUDE} when a line of {@code b} is a {@code #} directive
     * ({@code include}, {@code include_next}, {@code import}) whose argument does not start
     * with {@code <}. Comments and conditionals are not understood: a false positive only adds
     * shadowing candidates.
     */
    public static int includes(byte[] b) {
        int n = b.length;
        boolean lineStart = true;
        for (int i = 0; i < n; i++) {
            byte c = b[i];
            if (c == '\n') {
                lineStart = true;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b') {
                continue;
            }
            if (c == '#' && lineStart) {
                int j = skipBlanks(b, i + 1);
                for (byte[] word : INCLUDE_WORDS) {
                    if (matches(b, j, word)) {
                        int k = skipBlanks(b, j + word.length);
                        if (k == j + word.length && k < n && b[k] != '"' && b[k] != '<') {
                            break; // "#includefoo": another directive
                        }
                        if (k >= n || b[k] != '<') {
                            return QUOTE_INCLUDE;
                        }
                        break;
                    }
                }
            }
            lineStart = false;
        }
        return 0;
    }

    private static int skipBlanks(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean matches(byte[] b, int at, byte[] word) {
        if (at + word.length > b.length) {
            return false;
        }
        for (int j = 0; j < word.length; j++) {
            if (b[at + j] != word[j]) {
                return false;
            }
        }
        return true;
    }
}
