package cache.distcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A distcc reply: {@code DONE} (the request's version echoed), {@code STAT} (the compiler's raw
 * wait status), {@code SERR}, {@code SOUT} and {@code DOTO}, the three bodies LZO-compressed in
 * version 2. A failed compile's {@code DOTO} is empty.
 *
 * @param version the request's version, 1 or 2
 * @param status the raw wait status: exit code {@code c} is {@code c << 8}, death by signal
 *     {@code s} is {@code s}
 * @param stderr the compiler's stderr (and distccd's own messages about the job)
 * @param stdout the compiler's stdout
 * @param object the output file (object, or assembly for {@code -S}); empty on failure
 */
public record DistccReply(int version, int status, byte[] stderr, byte[] stdout, byte[] object) {

    public DistccReply {
        String bad = DistccRequest.versionProblem(version);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(object, "object");
    }

    /** The wait status of a process that exited with {@code code}. */
    public static int exited(int code) {
        return (code & 0xff) << 8;
    }

    /** Whether the compiler exited (rather than died of a signal). */
    public boolean exited() {
        return (status & 0x7f) == 0;
    }

    /** The exit code when {@link #exited()}. */
    public int exitCode() {
        return (status >> 8) & 0xff;
    }

    /** Writes the whole reply; the caller flushes. */
    public void writeTo(OutputStream out) throws IOException {
        DistccFrames.writeHeader(out, "DONE", version);
        DistccFrames.writeHeader(out, "STAT", status & 0xffff_ffffL);
        DistccFrames.writeBody(out, "SERR", pack(stderr));
        DistccFrames.writeBody(out, "SOUT", pack(stdout));
        DistccFrames.writeBody(out, "DOTO", pack(object));
    }

    public byte[] toBytes() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(object.length + 64);
        try {
            writeTo(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    private byte[] pack(byte[] body) {
        return version >= 2 ? DistccLzo.compress(body) : body;
    }

    /**
     * Reads the reply to a request of {@code version}: {@code DONE} must echo it.
     *
     * @throws DistccProtocolException for any departure; an empty stream (the server refused the
     *     job, distcc's only way to say so) says "no answer"
     */
    public static DistccReply readFrom(InputStream in, int version, DistccLimits limits) throws IOException {
        byte[] first = in.readNBytes(DistccFrames.HEADER);
        if (first.length == 0) {
            throw new DistccProtocolException("the server closed the connection without an answer (it refused the"
                    + " job: client not allowed, compiler not whitelisted, or arguments it keeps local)");
        }
        if (first.length < DistccFrames.HEADER) {
            throw new DistccProtocolException("truncated: the stream ended after " + first.length
                    + " bytes of the header of DONE");
        }
        if (!new String(first, 0, 4, java.nio.charset.StandardCharsets.ISO_8859_1).equals("DONE")) {
            throw new DistccProtocolException("expected token DONE, got " + DistccFrames.printable(first));
        }
        long done = DistccFrames.parseValue(first);
        if (done != version) {
            throw new DistccProtocolException("the server answered version " + done + " to a version " + version
                    + " request");
        }
        long status = DistccFrames.readValue(in, "STAT");
        byte[] stderr = unpack(DistccFrames.readBody(in, "SERR", limits.maxBody()), version, limits);
        byte[] stdout = unpack(DistccFrames.readBody(in, "SOUT", limits.maxBody()), version, limits);
        byte[] object = unpack(DistccFrames.readBody(in, "DOTO", limits.maxBody()), version, limits);
        return new DistccReply(version, (int) status, stderr, stdout, object);
    }

    private static byte[] unpack(byte[] body, int version, DistccLimits limits) throws DistccProtocolException {
        return version >= 2 ? DistccLzo.decompress(body, limits.maxBody()) : body;
    }
}
