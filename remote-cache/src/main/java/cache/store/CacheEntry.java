package cache.store;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything needed to replay one compile: its exit code, the exact stdout and stderr bytes,
 * and the contents of every output file it produced. Only successful compiles are stored.
 */
public final class CacheEntry {

    private final int exitCode;
    private final byte[] stdout;
    private final byte[] stderr;
    private final Map<OutputKind, byte[]> outputs;

    public CacheEntry(int exitCode, byte[] stdout, byte[] stderr, Map<OutputKind, byte[]> outputs) {
        this.exitCode = exitCode;
        this.stdout = Objects.requireNonNull(stdout);
        this.stderr = Objects.requireNonNull(stderr);
        EnumMap<OutputKind, byte[]> copy = new EnumMap<>(OutputKind.class);
        copy.putAll(outputs);
        this.outputs = Collections.unmodifiableMap(copy);
    }

    public int exitCode() {
        return exitCode;
    }

    public byte[] stdout() {
        return stdout;
    }

    public byte[] stderr() {
        return stderr;
    }

    /** The outputs by kind; the byte arrays are shared, callers must not modify them. */
    public Map<OutputKind, byte[]> outputs() {
        return outputs;
    }

    /** Total payload size, used for size accounting. */
    public long size() {
        long n = stdout.length + (long) stderr.length;
        for (byte[] b : outputs.values()) {
            n += b.length;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CacheEntry e)) {
            return false;
        }
        if (exitCode != e.exitCode || !Arrays.equals(stdout, e.stdout) || !Arrays.equals(stderr, e.stderr)
                || !outputs.keySet().equals(e.outputs.keySet())) {
            return false;
        }
        for (Map.Entry<OutputKind, byte[]> o2 : outputs.entrySet()) {
            if (!Arrays.equals(o2.getValue(), e.outputs.get(o2.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(exitCode, Arrays.hashCode(stdout), Arrays.hashCode(stderr), outputs.keySet());
    }

    @Override
    public String toString() {
        return "CacheEntry[exit=" + exitCode + ", stdout=" + stdout.length + "B, stderr=" + stderr.length
                + "B, outputs=" + outputs.keySet() + "]";
    }
}
