package cache.distcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * distcc's frames as its own code writes them ({@code rpc.c}: 4-letter token, 8 lowercase hex
 * digits, body), written here by hand from the exchanges in docs/distcc-protocol.md and from a
 * request captured from Debian's distcc 3.4 client: the codec must produce exactly these bytes
 * and read them back.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DistccGoldenTest {

    /** {@code x86_64-linux-gnu-gcc -O2 -E x.c} of the two-line x.c below, as gcc 12 writes it. */
    static final String PREPROCESSED = """
            # 0 "x.c"
            # 0 "<built-in>"
            # 0 "<command-line>"
            # 1 "/usr/include/stdc-predef.h" 1 3 4
            # 0 "<command-line>" 2
            # 1 "x.c"
            int add(int a, int b) { return a + b; }
            int twice(int a) { return add(a, a); }
            """;

    /** That text's DOTI body as Debian's distcc 3.4 (miniLZO's lzo1x_1_compress) sent it to a ',lzo' host. */
    static final String MINILZO_DOTI = "072320302022782e63220a8401073c6275696c742d696e3ee00209636f6d6d616e642d"
            + "6c696e65900200123120222f7573722f696e636c7564652f737464632d7072656465662e6822203120332034d0092c"
            + "ec000520320a2320312022940d05696e7420616464289e002c20780000036229207b2072657475726e2061202b2062"
            + "3b207d0a6003027477696365a4052a880009646428612c2061293b207d0a110000";

    private static final List<String> ARGV = List.of("x86_64-linux-gnu-gcc", "-O2", "-c", "x.c", "-o", "x.o");

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void version1RequestIsDistccsByteSequence() throws Exception {
        byte[] input = ascii(PREPROCESSED);
        byte[] golden = concat(ascii("DIST00000001ARGC00000006ARGV00000014x86_64-linux-gnu-gccARGV00000003-O2"
                + "ARGV00000002-cARGV00000003x.cARGV00000002-oARGV00000003x.oDOTI000000c7"), input);
        assertEquals(0xc7, input.length);
        DistccRequest r = new DistccRequest(1, ARGV, input);
        assertArrayEquals(golden, r.toBytes());
        DistccRequest back = DistccRequest.readFrom(new ByteArrayInputStream(golden), DistccLimits.DEFAULT);
        assertEquals(1, back.version());
        assertEquals(ARGV, back.argv());
        assertArrayEquals(input, back.input());
    }

    @Test
    void version2RequestCapturedFromDistccDecodesToThePreprocessedText() throws Exception {
        byte[] body = HexFormat.of().parseHex(MINILZO_DOTI);
        byte[] captured = concat(ascii("DIST00000002ARGC00000006ARGV00000014x86_64-linux-gnu-gccARGV00000003-O2"
                + "ARGV00000002-cARGV00000003x.cARGV00000002-oARGV00000003x.oDOTI000000a2"), body);
        DistccRequest r = DistccRequest.readFrom(new ByteArrayInputStream(captured), DistccLimits.DEFAULT);
        assertEquals(2, r.version());
        assertEquals(ARGV, r.argv());
        assertArrayEquals(ascii(PREPROCESSED), r.input());
    }

    @Test
    void version2RequestCompressesOnlyTheInput() throws Exception {
        byte[] input = ascii(PREPROCESSED);
        byte[] bytes = new DistccRequest(2, ARGV, input).toBytes();
        String head = "DIST00000002ARGC00000006ARGV00000014x86_64-linux-gnu-gccARGV00000003-O2"
                + "ARGV00000002-cARGV00000003x.cARGV00000002-oARGV00000003x.oDOTI";
        assertEquals(head, new String(bytes, 0, head.length(), StandardCharsets.ISO_8859_1));
        int n = Integer.parseInt(new String(bytes, head.length(), 8, StandardCharsets.ISO_8859_1), 16);
        assertEquals(bytes.length, head.length() + 8 + n);
        byte[] body = java.util.Arrays.copyOfRange(bytes, head.length() + 8, bytes.length);
        assertArrayEquals(input, DistccLzo.decompress(body, 1 << 20));
    }

    @Test
    void version1SuccessReplyIsDistccsByteSequence() throws Exception {
        byte[] object = new byte[0x5a8];
        for (int i = 0; i < object.length; i++) {
            object[i] = (byte) (i * 7);
        }
        byte[] golden = concat(ascii("DONE00000001STAT00000000SERR00000000SOUT00000000DOTO000005a8"), object);
        DistccReply r = new DistccReply(1, 0, new byte[0], new byte[0], object);
        assertArrayEquals(golden, r.toBytes());
        DistccReply back = DistccReply.readFrom(new ByteArrayInputStream(golden), 1, DistccLimits.DEFAULT);
        assertEquals(0, back.status());
        assertArrayEquals(object, back.object());
    }

    @Test
    void version1CompileErrorReplyCarriesStatusAndStderrWithAnEmptyObject() throws Exception {
        byte[] err = ascii("x.c:1:1: error: expected ';' before '}' token\n");
        byte[] golden = concat(ascii("DONE00000001STAT00000100SERR" + String.format("%08x", err.length)), err,
                ascii("SOUT00000000DOTO00000000"));
        DistccReply r = new DistccReply(1, DistccReply.exited(1), err, new byte[0], new byte[0]);
        assertArrayEquals(golden, r.toBytes());
        DistccReply back = DistccReply.readFrom(new ByteArrayInputStream(golden), 1, DistccLimits.DEFAULT);
        assertEquals(true, back.exited());
        assertEquals(1, back.exitCode());
        assertArrayEquals(err, back.stderr());
        assertEquals(0, back.object().length);
    }

    @Test
    void version2ReplyCompressesNonEmptyBodiesAndSendsEmptyOnesAsZero() throws Exception {
        byte[] object = ascii(PREPROCESSED.repeat(20));
        byte[] bytes = new DistccReply(2, 0, new byte[0], new byte[0], object).toBytes();
        String head = "DONE00000002STAT00000000SERR00000000SOUT00000000DOTO";
        assertEquals(head, new String(bytes, 0, head.length(), StandardCharsets.ISO_8859_1));
        DistccReply back = DistccReply.readFrom(new ByteArrayInputStream(bytes), 2, DistccLimits.DEFAULT);
        assertArrayEquals(object, back.object());
        assertEquals(true, bytes.length < object.length);
    }

    @Test
    void headersUseLowercaseHexAndReadUppercase() throws Exception {
        assertArrayEquals(ascii("DOTO0000abcd"), DistccFrames.header("DOTO", 0xabcd));
        assertEquals(0xabcdL, DistccFrames.readValue(new ByteArrayInputStream(ascii("DOTO0000ABCD")), "DOTO"));
        assertArrayEquals(ascii("STATffffffff"), DistccFrames.header("STAT", 0xffff_ffffL));
    }
}
