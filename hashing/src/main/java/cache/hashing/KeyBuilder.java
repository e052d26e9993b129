package cache.hashing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a cache key from tagged, length-delimited fields, so that no two different
 * field sequences can produce the same byte stream ("-DA" "B" never collides with "-DAB").
 *
 * <p>Each field is encoded as {@code u8 tagLength, tag, u32 valueLength, value} and the key
 * is the XXH3-128 of the whole stream. Large values (preprocessor output, file contents)
 * should be added as their own {@link Digest} so the stream stays small.
 *
 * <p>When created with {@link #explaining()}, the builder also records every field as a
 * line of text: two dumps can be diffed to see why one call missed.
 */
public final class KeyBuilder {

    private byte[] buf = new byte[1024];
    private int len;
    private final StringBuilder explanation;

    private KeyBuilder(boolean explain) {
        this.explanation = explain ? new StringBuilder() : null;
    }

    public static KeyBuilder create() {
        return new KeyBuilder(false);
    }

    /** A builder that also keeps a text dump of its fields, see {@link #explanation()}. */
    public static KeyBuilder explaining() {
        return new KeyBuilder(true);
    }

    public KeyBuilder add(String tag, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        field(tag, bytes, 0, bytes.length);
        if (explanation != null) {
            explanation.append(tag).append(": ").append(value.replace("\n", "\\n")).append('\n');
        }
        return this;
    }

    public KeyBuilder add(String tag, long value) {
        return add(tag, Long.toString(value));
    }

    public KeyBuilder add(String tag, boolean value) {
        return add(tag, value ? "1" : "0");
    }

    public KeyBuilder add(String tag, Digest value) {
        byte[] bytes = value.toBytes();
        field(tag, bytes, 0, bytes.length);
        if (explanation != null) {
            explanation.append(tag).append(": #").append(value.hex()).append('\n');
        }
        return this;
    }

    /** Adds raw bytes; for anything larger than a few hundred bytes add its digest instead. */
    public KeyBuilder add(String tag, byte[] value) {
        field(tag, value, 0, value.length);
        if (explanation != null) {
            explanation.append(tag).append(": ").append(value.length).append(" bytes #")
                    .append(Hashing.xxh3_128(value, 0, value.length).hex()).append('\n');
        }
        return this;
    }

    public Digest build() {
        return Hashing.xxh3_128(buf, 0, len);
    }

    /** The text dump, or {@code null} when not created with {@link #explaining()}. */
    public String explanation() {
        return explanation == null ? null : explanation.toString();
    }

    private void field(String tag, byte[] value, int off, int n) {
        byte[] t = tag.getBytes(StandardCharsets.US_ASCII);
        if (t.length > 255) {
            throw new IllegalArgumentException("tag too long: " + tag);
        }
        ensure(1 + t.length + 4 + n);
        buf[len++] = (byte) t.length;
        System.arraycopy(t, 0, buf, len, t.length);
        len += t.length;
        buf[len++] = (byte) (n >>> 24);
        buf[len++] = (byte) (n >>> 16);
        buf[len++] = (byte) (n >>> 8);
        buf[len++] = (byte) n;
        System.arraycopy(value, off, buf, len, n);
        len += n;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
