package cache.distcc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A distcc request of protocol version 1 or 2: {@code DIST}, {@code ARGC}, one {@code ARGV} per
 * argument ({@code argv[0]} the compiler's name, the input and {@code -o} among the others), and
 * the preprocessed input as {@code DOTI}, LZO-compressed in version 2.
 *
 * <p>Version 3 (pump mode: the server preprocesses the client's files) is not served: reading
 * one fails with a message that says so, before anything else is read.
 *
 * @param version 1 or 2
 * @param argv the command line, at least the compiler; arguments are UTF-8 text here (distcc sends
 *     bytes; a name that is not UTF-8 is not whitelisted anyway)
 * @param input the preprocessed input, uncompressed
 */
public record DistccRequest(int version, List<String> argv, byte[] input) {

    public DistccRequest {
        String bad = versionProblem(version);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        argv = List.copyOf(argv);
        Objects.requireNonNull(input, "input");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv needs at least the compiler");
        }
    }

    /** Writes the whole request; the caller flushes. */
    public void writeTo(OutputStream out) throws IOException {
        DistccFrames.writeHeader(out, "DIST", version);
        DistccFrames.writeHeader(out, "ARGC", argv.size());
        for (String a : argv) {
            DistccFrames.writeBody(out, "ARGV", a.getBytes(StandardCharsets.UTF_8));
        }
        DistccFrames.writeBody(out, "DOTI", version >= 2 ? DistccLzo.compress(input) : input);
    }

    /** The whole request as bytes (tests, small requests). */
    public byte[] toBytes() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(input.length + 256);
        try {
            writeTo(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** Reads the version: 1 or 2, anything else refused. */
    public static int readVersion(InputStream in) throws IOException {
        long v = DistccFrames.readValue(in, "DIST");
        String bad = versionProblem(v);
        if (bad != null) {
            throw new DistccProtocolException(bad);
        }
        return (int) v;
    }

    /** Reads {@code ARGC} and the {@code ARGV}s within {@code limits}. */
    public static List<String> readArgv(InputStream in, DistccLimits limits) throws IOException {
        long argc = DistccFrames.readValue(in, "ARGC");
        if (argc < 1 || argc > limits.maxArgs()) {
            throw new DistccProtocolException("ARGC " + argc + " is outside 1.." + limits.maxArgs());
        }
        List<String> argv = new ArrayList<>((int) argc);
        long total = 0;
        for (long i = 0; i < argc; i++) {
            byte[] a = DistccFrames.readBody(in, "ARGV", limits.maxArgBytes());
            total += a.length;
            if (total > limits.maxArgBytes()) {
                throw new DistccProtocolException("the arguments exceed " + limits.maxArgBytes() + " bytes");
            }
            argv.add(new String(a, StandardCharsets.UTF_8));
        }
        return argv;
    }

    /** Reads {@code DOTI} for {@code version}, decompressed. */
    public static byte[] readInput(InputStream in, int version, DistccLimits limits) throws IOException {
        byte[] body = DistccFrames.readBody(in, "DOTI", limits.maxBody());
        return version >= 2 ? DistccLzo.decompress(body, limits.maxBody()) : body;
    }

    /**
     * How long the request at the start of {@code buf} is once complete, or -1 while its bytes
     * have not all arrived: for a server that reads without blocking. Each header is checked as
     * soon as it is there (token, digits, version, limits), so a hostile request is refused
     * before its announced body is waited for. Nothing is consumed.
     */
    public static long completeLength(io.netty.buffer.ByteBuf buf, DistccLimits limits) throws DistccProtocolException {
        int start = buf.readerIndex();
        int available = buf.readableBytes();
        long at = 0;
        long v = header(buf, start, available, at, "DIST");
        if (v < 0) {
            return -1;
        }
        String bad = versionProblem(v);
        if (bad != null) {
            throw new DistccProtocolException(bad);
        }
        at += DistccFrames.HEADER;
        long argc = header(buf, start, available, at, "ARGC");
        if (argc < 0) {
            return -1;
        }
        if (argc < 1 || argc > limits.maxArgs()) {
            throw new DistccProtocolException("ARGC " + argc + " is outside 1.." + limits.maxArgs());
        }
        at += DistccFrames.HEADER;
        long total = 0;
        for (long i = 0; i < argc; i++) {
            long n = header(buf, start, available, at, "ARGV");
            if (n < 0) {
                return -1;
            }
            total += n;
            if (n > limits.maxArgBytes() || total > limits.maxArgBytes()) {
                throw new DistccProtocolException("the arguments exceed " + limits.maxArgBytes() + " bytes");
            }
            at += DistccFrames.HEADER + n;
        }
        long doti = header(buf, start, available, at, "DOTI");
        if (doti < 0) {
            return -1;
        }
        if (doti > limits.maxBody()) {
            throw new DistccProtocolException("DOTI announces " + doti + " bytes, more than the limit of "
                    + limits.maxBody());
        }
        at += DistccFrames.HEADER + doti;
        return at <= available ? at : -1;
    }

    /** The value of the header {@code expected} at {@code at}, or -1 when it has not arrived. */
    private static long header(io.netty.buffer.ByteBuf buf, int start, int available, long at, String expected)
            throws DistccProtocolException {
        if (at + DistccFrames.HEADER > available) {
            return -1;
        }
        byte[] h = new byte[DistccFrames.HEADER];
        buf.getBytes(start + (int) at, h);
        if (!new String(h, 0, 4, StandardCharsets.ISO_8859_1).equals(expected)) {
            throw new DistccProtocolException("expected token " + expected + ", got " + DistccFrames.printable(h));
        }
        return DistccFrames.parseValue(h);
    }

    /** Reads a whole request. */
    public static DistccRequest readFrom(InputStream in, DistccLimits limits) throws IOException {
        int version = readVersion(in);
        List<String> argv = readArgv(in, limits);
        return new DistccRequest(version, argv, readInput(in, version, limits));
    }

    /** Why {@code v} is not served, or null for 1 and 2. */
    static String versionProblem(long v) {
        if (v == 3) {
            return "distcc protocol version 3 (pump mode, ',cpp') is not supported";
        }
        return v == 1 || v == 2 ? null : "unknown distcc protocol version " + v + " (1 and 2 are served)";
    }
}
