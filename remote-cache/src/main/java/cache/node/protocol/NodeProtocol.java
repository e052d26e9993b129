package cache.node.protocol;

import cache.hashing.Digest;
import cache.hashing.KeyBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The whole native protocol between a client (the distributor, {@code cache.node.client.NodeClient}) and a node
 * ({@code cached}), in one place. docs/protocol.md describes the same thing in prose; change
 * both together.
 *
 * <pre>
 * frame   = u32 length (of everything after it, at most {@link #MAX_FRAME})
 *           u8 type, u32 request id, body
 * string  = u16 length + UTF-8            bytes = u32 length + bytes
 * key     = 16 bytes (XXH3-128, the client's cache key)
 * compiler = string name, string version, string target
 * </pre>
 *
 * Every integer is big-endian. A frame's request id is chosen by the client and copied into
 * the answer, so answers to pipelined requests may come back in any order. Decoding is strict:
 * a field that runs past its frame, trailing bytes, an unknown type or an out-of-range count
 * is a {@link ProtocolException}, and the receiver closes that connection.
 *
 * <p>The design: the key travels first ({@link Probe}); the preprocessed input only after a
 * {@link Miss} ({@link Compile}, or from version 2 {@link CompileSource}, which recreates the
 * client's source file so that debug information comes out as on the client). An entry on the wire is exactly the stored bytes of
 * {@code cache.store.EntryCodec} (zstd body, XXH3-64 trailer), so the node forwards a hit
 * without decoding it and the client verifies the checksum.
 */
public final class NodeProtocol {

    /** "CNOD": first field of {@link Hello}, so a distcc client or an HTTP probe is told apart at once. */
    public static final int MAGIC = 0x434e4f44;
    /**
     * The newest version. A node answers with min(its version, the client's max); version 2 adds
     * {@link CompileSource}, version 3 {@link Working}. Version 1 and 2 clients and nodes keep
     * working: neither side sends a frame of a version the connection did not agree on.
     */
    public static final int VERSION = 3;
    /** The oldest version a node still answers, and the lowest a client offers. */
    public static final int MIN_VERSION = 1;
    /** The first version with {@link CompileSource}. */
    public static final int SOURCE_VERSION = 2;
    /** The first version with {@link Working}: a node that is silent while it owes answers is gone. */
    public static final int LIVENESS_VERSION = 3;
    /** How often a node of {@link #LIVENESS_VERSION} says it is alive while it owes answers. */
    public static final java.time.Duration WORKING_INTERVAL = java.time.Duration.ofSeconds(1);
    public static final int DEFAULT_PORT = 3632;
    /** Hard upper bound of any frame; a node may set a lower one (announced in {@link Welcome}). */
    public static final int MAX_FRAME = 64 << 20;
    /** Bytes of type + request id, the part of every frame after its length. */
    public static final int FRAME_HEADER = 5;
    public static final int MAX_ARGS = 1024;
    public static final int MAX_STRING = 4096;
    public static final int NONCE_BYTES = 32;

    /** Frame types. Codes are part of the protocol: never renumber, only add. */
    public static final int HELLO = 0x01;
    public static final int WELCOME = 0x02;
    public static final int AUTH = 0x03;
    public static final int AUTH_OK = 0x04;
    public static final int PROBE = 0x10;
    public static final int HIT = 0x11;
    public static final int MISS = 0x12;
    public static final int COMPILE = 0x20;
    public static final int RESULT = 0x21;
    /** Version 2 and later. */
    public static final int COMPILE_SOURCE = 0x22;
    /** Version 3 and later, node to client. */
    public static final int WORKING = 0x23;
    public static final int STATS = 0x30;
    public static final int STATS_REPLY = 0x31;
    public static final int ERROR = 0x7f;

    private NodeProtocol() {
    }

    /** Why a node refused a request or a connection; the code is on the wire, never renumber. */
    public enum ErrorCode {
        /** A frame that does not decode; the connection is closed. */
        BAD_FRAME(1),
        /** No common protocol version, or the first frame was not a HELLO; closed. */
        BAD_VERSION(2),
        /** A request before authentication on a node that requires it; closed. */
        AUTH_REQUIRED(3),
        /** Wrong shared-secret answer; closed. */
        AUTH_FAILED(4),
        /** The compiler name is not on the node's whitelist (or not a bare name); request only. */
        COMPILER_NOT_ALLOWED(5),
        /** The node has that compiler with another version or target; request only. */
        COMPILER_MISMATCH(6),
        /** An argument the node never runs (loads code, names a file, chooses an output); request only. */
        FORBIDDEN_ARGUMENT(7),
        /** A size or count over the node's limits; request only when the frame itself was in bounds. */
        TOO_LARGE(8),
        /** Too many requests queued; try another node. */
        BUSY(9),
        /** The compile ran past the node's job lifetime and was killed. */
        TIMEOUT(10),
        /** A failure of the node itself (disk, process start); the client compiles elsewhere. */
        INTERNAL(11),
        /** A language the node does not compile. */
        BAD_LANGUAGE(12),
        /** The input does not decompress to its announced length. */
        BAD_INPUT(13),
        /** The name is whitelisted but the node has no such compiler on its PATH. */
        COMPILER_MISSING(14);

        private final int code;

        ErrorCode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** Name used in counters and logs ("refused_compiler_mismatch"). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static ErrorCode fromCode(int code) {
            for (ErrorCode c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return INTERNAL;
        }
    }

    /** A compiler as the client sees it: the name it runs, {@code -dumpfullversion}, {@code -dumpmachine}. */
    public record CompilerSpec(String name, String version, String target) {
        @Override
        public String toString() {
            return name + " " + version + " " + target;
        }
    }

    /** Any frame's content; {@link #id} is the request id. */
    public sealed interface Message permits Hello, Welcome, Auth, Probe, Hit, Compile, CompileSource, Result,
            StatsReply, Error, Bodiless {
        int id();

        /** The frame type code: each message class has exactly one, in the table {@code NodeProtocol.TYPES}. */
        default int type() {
            return TYPES.get(getClass());
        }

        /** Writes the body (after type and id). */
        void writeBody(ByteBuf out);
    }

    /** A message whose frame is type and request id only. */
    public sealed interface Bodiless extends Message permits AuthOk, Miss, Working, Stats {
        @Override
        default void writeBody(ByteBuf out) {
        }
    }

    /** The frame type of every message class: the one table that ties a record to its code. */
    private static final Map<Class<? extends Message>, Integer> TYPES = Map.ofEntries(
            Map.entry(Hello.class, HELLO), Map.entry(Welcome.class, WELCOME),
            Map.entry(Auth.class, AUTH), Map.entry(AuthOk.class, AUTH_OK),
            Map.entry(Probe.class, PROBE), Map.entry(Hit.class, HIT), Map.entry(Miss.class, MISS),
            Map.entry(Compile.class, COMPILE), Map.entry(CompileSource.class, COMPILE_SOURCE),
            Map.entry(Result.class, RESULT), Map.entry(Working.class, WORKING),
            Map.entry(Stats.class, STATS), Map.entry(StatsReply.class, STATS_REPLY),
            Map.entry(Error.class, ERROR));

    public record Hello(int id, int minVersion, int maxVersion, String client) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            out.writeInt(MAGIC);
            out.writeShort(minVersion);
            out.writeShort(maxVersion);
            writeString(out, client);
        }
    }

    /** @param nonce empty unless the node requires authentication; then the client must send {@link Auth} */
    public record Welcome(int id, int version, String node, byte[] nonce, int maxFrame) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            out.writeShort(version);
            writeString(out, node);
            writeBytes(out, nonce);
            out.writeInt(maxFrame);
        }

        public boolean authRequired() {
            return nonce.length > 0;
        }
    }

    /** @param mac HMAC-SHA256(shared secret, the nonce of {@link Welcome}): see {@link #mac(byte[], byte[])} */
    public record Auth(int id, byte[] mac) implements Message {

        /** The answer to {@code nonce} that proves knowing {@code secret}; client and node both compute it. */
        public static byte[] mac(byte[] secret, byte[] nonce) {
            try {
                Mac hmac = Mac.getInstance("HmacSHA256");
                hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
                return hmac.doFinal(nonce);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }

        @Override
        public void writeBody(ByteBuf out) {
            writeBytes(out, mac);
        }
    }

    public record AuthOk(int id) implements Bodiless {
    }

    public record Probe(int id, Digest key, CompilerSpec compiler) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            writeKey(out, key);
            writeCompiler(out, compiler);
        }
    }

    /** @param entry the stored entry bytes ({@code EntryCodec} format) */
    public record Hit(int id, byte[] entry) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            writeBytes(out, entry);
        }
    }

    public record Miss(int id) implements Bodiless {
    }

    /**
     * @param language the {@code -x} language of the input (c, c++, cpp-output, …)
     * @param args compiler arguments without the input, {@code -o} and {@code -x}
     * @param inputLength the uncompressed size of the input
     * @param zstdInput the preprocessed input, zstd-compressed (one frame)
     */
    public record Compile(int id, Digest key, CompilerSpec compiler, String language, List<String> args,
            int inputLength, byte[] zstdInput) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            writeJob(out, key, compiler, language, args);
            writeInput(out, inputLength, zstdInput);
        }
    }

    /**
     * A compile of the client's source as the client's compiler would see it (version 2): the node
     * writes the input under the source's own name in its private directory and maps that
     * directory back to the client's working directory in the debug information, so a {@code -g}
     * object is byte for byte the client's own. The input is the source with its includes expanded
     * and its macro definitions kept ({@code gcc -E -fdirectives-only}, less the compiler's
     * predefined macros), compiled as {@code language} source, not as preprocessed output.
     *
     * @param language the source language: c, c++, objective-c or objective-c++
     * @param args compiler arguments without the input, {@code -o} and {@code -x}
     * @param source the source path as the client's command line spells it (relative or absolute)
     * @param cwd the client's working directory (absolute), what its compiler records
     * @param inputLength the uncompressed size of the input
     * @param zstdInput the input, zstd-compressed (one frame)
     */
    public record CompileSource(int id, Digest key, CompilerSpec compiler, String language, List<String> args,
            String source, String cwd, int inputLength, byte[] zstdInput) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            writeJob(out, key, compiler, language, args);
            writeString(out, source);
            writeString(out, cwd);
            writeInput(out, inputLength, zstdInput);
        }

        /**
         * The key a source compile of client key {@code key} is stored and probed under: the source
         * path and the working directory are in its object, so it never answers for a plain
         * {@link Compile} of the same key, nor for another directory. A client probes with it.
         */
        public static Digest jobKey(Digest key, String source, String cwd) {
            return KeyBuilder.create().add("job.kind", "source").add("job.key", key)
                    .add("job.source", source).add("job.cwd", cwd).build();
        }
    }

    /** @param stored whether the node kept the result in its cache (successful compiles only) */
    public record Result(int id, boolean stored, byte[] entry) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            out.writeByte(stored ? 1 : 0);
            writeBytes(out, entry);
        }
    }

    /**
     * Node to client, version 3: "still working on what you asked". Sent with request id 0 when
     * the connection owes answers and nothing was written on it for {@link #WORKING_INTERVAL}, so a
     * client can tell a long compile from a node that hangs (stopped, swapping to death, cut off)
     * without waiting for the request timeout.
     */
    public record Working(int id) implements Bodiless {
    }

    public record Stats(int id) implements Bodiless {
    }

    public record StatsReply(int id, Map<String, Long> values) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            out.writeShort(values.size());
            for (Map.Entry<String, Long> e : values.entrySet()) {
                writeString(out, e.getKey());
                out.writeLong(e.getValue());
            }
        }
    }

    public record Error(int id, ErrorCode code, String message) implements Message {
        @Override
        public void writeBody(ByteBuf out) {
            out.writeShort(code.code());
            writeString(out, message);
        }
    }

    /** Splits the stream into frames, refusing one longer than {@code maxFrame} before allocating it. */
    public static LengthFieldBasedFrameDecoder frameDecoder(int maxFrame) {
        return new LengthFieldBasedFrameDecoder(maxFrame + 4, 0, 4, 0, 4, true);
    }

    /** Writes one whole frame, length prefix included. */
    public static void encode(Message m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeByte(m.type());
        out.writeInt(m.id());
        m.writeBody(out);
        out.setInt(start, out.writerIndex() - start - 4);
    }

    /**
     * Decodes the content of one frame (type, id, body: what {@link #frameDecoder} passes on).
     *
     * @throws ProtocolException when the frame is not exactly one valid message
     */
    public static Message decode(ByteBuf in) throws ProtocolException {
        if (in.readableBytes() < FRAME_HEADER) {
            throw new ProtocolException("frame of " + in.readableBytes() + " bytes is shorter than its header");
        }
        int type = in.readUnsignedByte();
        int id = in.readInt();
        try {
            Message m = switch (type) {
                case HELLO -> {
                    int magic = in.readInt();
                    if (magic != MAGIC) {
                        throw new ProtocolException(String.format("bad magic 0x%08x", magic));
                    }
                    yield new Hello(id, in.readUnsignedShort(), in.readUnsignedShort(), readString(in));
                }
                case WELCOME -> new Welcome(id, in.readUnsignedShort(), readString(in), readBytes(in), in.readInt());
                case AUTH -> new Auth(id, readBytes(in));
                case AUTH_OK -> new AuthOk(id);
                case PROBE -> new Probe(id, readKey(in), readCompiler(in));
                case HIT -> new Hit(id, readBytes(in));
                case MISS -> new Miss(id);
                case COMPILE -> {
                    Job job = readJob(in);
                    yield new Compile(id, job.key(), job.compiler(), job.language(), job.args(),
                            readInputLength(in), readBytes(in));
                }
                case COMPILE_SOURCE -> {
                    Job job = readJob(in);
                    yield new CompileSource(id, job.key(), job.compiler(), job.language(), job.args(),
                            readString(in), readString(in), readInputLength(in), readBytes(in));
                }
                case RESULT -> new Result(id, in.readByte() != 0, readBytes(in));
                case WORKING -> new Working(id);
                case STATS -> new Stats(id);
                case STATS_REPLY -> {
                    int n = in.readUnsignedShort();
                    Map<String, Long> values = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        values.put(readString(in), in.readLong());
                    }
                    yield new StatsReply(id, values);
                }
                case ERROR -> new Error(id, ErrorCode.fromCode(in.readUnsignedShort()), readString(in));
                default -> throw new ProtocolException(String.format("unknown frame type 0x%02x", type));
            };
            if (in.isReadable()) {
                throw new ProtocolException(in.readableBytes() + " trailing bytes after frame type 0x"
                        + Integer.toHexString(type));
            }
            return m;
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("frame type 0x" + Integer.toHexString(type) + " truncated");
        }
    }

    /** The fields {@link Compile} and {@link CompileSource} both start with, in wire order. */
    private record Job(Digest key, CompilerSpec compiler, String language, List<String> args) {
    }

    private static void writeJob(ByteBuf out, Digest key, CompilerSpec compiler, String language,
            List<String> args) {
        writeKey(out, key);
        writeCompiler(out, compiler);
        writeString(out, language);
        writeArgs(out, args);
    }

    /** Arguments are evaluated left to right, so this reads the fields in wire order. */
    private static Job readJob(ByteBuf in) throws ProtocolException {
        return new Job(readKey(in), readCompiler(in), readString(in), readArgs(in));
    }

    /** Both compiles end with the uncompressed length and the zstd frame of their input. */
    private static void writeInput(ByteBuf out, int inputLength, byte[] zstdInput) {
        out.writeInt(inputLength);
        writeBytes(out, zstdInput);
    }

    private static void writeArgs(ByteBuf out, List<String> args) {
        out.writeShort(args.size());
        for (String a : args) {
            writeString(out, a);
        }
    }

    private static List<String> readArgs(ByteBuf in) throws ProtocolException {
        int argc = in.readUnsignedShort();
        if (argc > MAX_ARGS) {
            throw new ProtocolException(argc + " arguments, more than " + MAX_ARGS);
        }
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(readString(in));
        }
        return List.copyOf(args);
    }

    private static int readInputLength(ByteBuf in) throws ProtocolException {
        int inputLength = in.readInt();
        if (inputLength < 0) {
            throw new ProtocolException("negative input length");
        }
        return inputLength;
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            throw new IllegalArgumentException("string of " + b.length + " bytes, more than " + MAX_STRING);
        }
        out.writeShort(b.length);
        out.writeBytes(b);
    }

    private static String readString(ByteBuf in) throws ProtocolException {
        int n = in.readUnsignedShort();
        if (n > MAX_STRING) {
            throw new ProtocolException("string of " + n + " bytes, more than " + MAX_STRING);
        }
        if (n > in.readableBytes()) {
            throw new ProtocolException("string runs past its frame");
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    private static void writeBytes(ByteBuf out, byte[] b) {
        out.writeInt(b.length);
        out.writeBytes(b);
    }

    private static byte[] readBytes(ByteBuf in) throws ProtocolException {
        int n = in.readInt();
        if (n < 0 || n > in.readableBytes()) {
            throw new ProtocolException("byte field of " + Integer.toUnsignedString(n) + " bytes runs past its frame");
        }
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    private static void writeKey(ByteBuf out, Digest key) {
        out.writeLong(key.high());
        out.writeLong(key.low());
    }

    private static Digest readKey(ByteBuf in) {
        return new Digest(in.readLong(), in.readLong());
    }

    private static void writeCompiler(ByteBuf out, CompilerSpec c) {
        writeString(out, c.name());
        writeString(out, c.version());
        writeString(out, c.target());
    }

    private static CompilerSpec readCompiler(ByteBuf in) throws ProtocolException {
        return new CompilerSpec(readString(in), readString(in), readString(in));
    }
}
