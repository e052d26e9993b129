package cache.node.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.node.protocol.NodeProtocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.reflect.RecordComponent;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message of docs/protocol.md as a byte sequence written by hand from the doc's field
 * layout (not produced by the codec): the encoder must produce exactly these bytes and the
 * decoder must read them back into the same message. A change to either side that the doc
 * does not describe fails here.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NodeProtocolGoldenTest {

    private static final Digest KEY = new Digest(0x0123456789abcdefL, 0xfedcba9876543210L);
    private static final CompilerSpec GCC = new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu");

    /** key: 16 bytes, the high 64 bits first. */
    private static final String KEY_HEX = "0123456789abcdef fedcba9876543210";
    /** compiler = string name, string version, string target (string = u16 n, n bytes of UTF-8). */
    private static final String GCC_HEX = "0003 676363"                       // "gcc"
            + "0006 31322e322e30"                                             // "12.2.0"
            + "0010 7838365f36342d6c696e75782d676e75";                        // "x86_64-linux-gnu"

    static Stream<Arguments> frames() {
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("node_hits", 3L);
        stats.put("refused_bad_frame", 1L);
        byte[] nonce = new byte[32];
        byte[] mac = new byte[32];
        for (int i = 0; i < 32; i++) {
            nonce[i] = (byte) i;
            mac[i] = (byte) (0xa0 + i);
        }
        return Stream.of(
                // u32 length, u8 type, u32 id, body; length counts type + id + body.
                golden("HELLO", new NodeProtocol.Hello(1, 1, 1, "cache"),
                        "00000014 01 00000001"
                        + "434e4f44 0001 0001"                                // magic "CNOD", min 1, max 1
                        + "0005 6361636865"),                                 // "cache"
                golden("WELCOME without authentication",
                        new NodeProtocol.Welcome(1, 1, "node-a", new byte[0], 32 << 20),
                        "00000017 02 00000001"
                        + "0001 0006 6e6f64652d61"                            // version 1, "node-a"
                        + "00000000"                                          // empty nonce
                        + "02000000"),                                        // max frame 32 MiB
                golden("WELCOME with a nonce", new NodeProtocol.Welcome(1, 1, "node-a", nonce, 1 << 20),
                        "00000037 02 00000001"
                        + "0001 0006 6e6f64652d61"
                        + "00000020 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                        + "00100000"),
                golden("AUTH", new NodeProtocol.Auth(2, mac),
                        "00000029 03 00000002"
                        + "00000020 a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"),
                golden("AUTH_OK", new NodeProtocol.AuthOk(2), "00000005 04 00000002"),
                golden("PROBE", new NodeProtocol.Probe(3, KEY, GCC),
                        "00000034 10 00000003" + KEY_HEX + GCC_HEX),
                golden("HIT", new NodeProtocol.Hit(3, new byte[] {9, 8, 7}),
                        "0000000c 11 00000003 00000003 090807"),
                golden("MISS", new NodeProtocol.Miss(4), "00000005 12 00000004"),
                golden("COMPILE", new NodeProtocol.Compile(5, KEY, GCC, "cpp-output", List.of("-O2", "-DX=1"), 100,
                        new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
                        "0000005a 20 00000005" + KEY_HEX + GCC_HEX
                        + "000a 6370702d6f7574707574"                         // language "cpp-output"
                        + "0002 0003 2d4f32 0005 2d44583d31"                 // 2 args: "-O2", "-DX=1"
                        + "00000064"                                          // input length 100
                        + "00000004 28b52ffd"),                               // zstd input
                golden("COMPILE_SOURCE", new NodeProtocol.CompileSource(5, KEY, GCC, "c", List.of("-g"), "sub/y.c",
                        "/w", 100, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd}),
                        "00000056 22 00000005" + KEY_HEX + GCC_HEX
                        + "0001 63"                                           // language "c"
                        + "0001 0002 2d67"                                    // 1 arg: "-g"
                        + "0007 7375622f792e63"                               // source "sub/y.c"
                        + "0002 2f77"                                         // cwd "/w"
                        + "00000064"                                          // input length 100
                        + "00000004 28b52ffd"),                               // zstd input
                golden("RESULT", new NodeProtocol.Result(5, true, new byte[] {4, 5}),
                        "0000000c 21 00000005 01 00000002 0405"),
                golden("RESULT not stored", new NodeProtocol.Result(5, false, new byte[0]),
                        "0000000a 21 00000005 00 00000000"),
                golden("WORKING", new NodeProtocol.Working(0), "00000005 23 00000000"),
                golden("STATS", new NodeProtocol.Stats(6), "00000005 30 00000006"),
                golden("STATS_REPLY", new NodeProtocol.StatsReply(6, stats),
                        "00000035 31 00000006 0002"
                        + "0009 6e6f64655f68697473 0000000000000003"          // node_hits 3
                        + "0011 726566757365645f6261645f6672616d65 0000000000000001"), // refused_bad_frame 1
                // string lengths count UTF-8 bytes: "…" is three
                golden("ERROR", new NodeProtocol.Error(7, ErrorCode.FORBIDDEN_ARGUMENT, "argument '-o' \u2026"),
                        "0000001a 7f 00000007 0007"
                        + "0011 617267756d656e742027 2d6f 2720 e280a6"),
                golden("ERROR with id 0", new NodeProtocol.Error(0, ErrorCode.BAD_FRAME, ""),
                        "00000009 7f 00000000 0001 0000"));
    }

    private static Arguments golden(String name, Message m, String hex) {
        return Arguments.of(name, m, HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void theEncoderWritesTheDocumentedBytes(String name, Message m, byte[] golden) {
        ByteBuf out = Unpooled.buffer();
        NodeProtocol.encode(m, out);
        byte[] encoded = new byte[out.readableBytes()];
        out.readBytes(encoded);
        assertEquals(HexFormat.of().formatHex(golden), HexFormat.of().formatHex(encoded), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("frames")
    void theDecoderReadsTheDocumentedBytes(String name, Message m, byte[] golden) throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(golden);
        assertEquals(golden.length - 4, in.readInt(), name + ": length prefix");
        Message decoded = NodeProtocol.decode(in);
        assertSame(m.getClass(), decoded.getClass(), name);
        for (RecordComponent c : m.getClass().getRecordComponents()) {
            Object want = c.getAccessor().invoke(m);
            Object got = c.getAccessor().invoke(decoded);
            if (want instanceof byte[] w) {
                assertArrayEquals(w, (byte[]) got, name + ": " + c.getName());
            } else if (want instanceof Map<?, ?> w) {
                assertEquals(List.copyOf(w.entrySet()), List.copyOf(((Map<?, ?>) got).entrySet()),
                        name + ": " + c.getName() + " in wire order");
            } else {
                assertEquals(want, got, name + ": " + c.getName());
            }
        }
    }

    /** The codes of the doc's tables: frame types and error codes are never renumbered. */
    @Test
    void typeAndErrorCodesAreTheDocumentedOnes() {
        assertEquals(List.of(0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x30, 0x31, 0x7f),
                List.of(NodeProtocol.HELLO, NodeProtocol.WELCOME, NodeProtocol.AUTH, NodeProtocol.AUTH_OK,
                        NodeProtocol.PROBE, NodeProtocol.HIT, NodeProtocol.MISS, NodeProtocol.COMPILE,
                        NodeProtocol.RESULT, NodeProtocol.COMPILE_SOURCE, NodeProtocol.STATS, NodeProtocol.STATS_REPLY, NodeProtocol.ERROR));
        Map<String, Integer> documented = new LinkedHashMap<>();
        String[] names = {"BAD_FRAME", "BAD_VERSION", "AUTH_REQUIRED", "AUTH_FAILED", "COMPILER_NOT_ALLOWED",
            "COMPILER_MISMATCH", "FORBIDDEN_ARGUMENT", "TOO_LARGE", "BUSY", "TIMEOUT", "INTERNAL", "BAD_LANGUAGE",
            "BAD_INPUT", "COMPILER_MISSING"};
        for (int i = 0; i < names.length; i++) {
            documented.put(names[i], i + 1);
        }
        Map<String, Integer> actual = new LinkedHashMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            actual.put(c.name(), c.code());
        }
        assertEquals(documented, actual);
    }
}
