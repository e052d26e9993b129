package cache.distcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile or broken frames end in a {@link DistccProtocolException} whose message says what was
 * wrong, before any large allocation: a wrong token, a value that is not hex, a body over its
 * limit, a truncated stream, a bad LZO body, a version that is not served.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DistccHostileFrameTest {

    private static final DistccLimits SMALL = new DistccLimits(8, 64, 1024);

    private static DistccProtocolException refused(String request) {
        return refused(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static DistccProtocolException refused(byte[] request) {
        return assertThrows(DistccProtocolException.class,
                () -> DistccRequest.readFrom(new ByteArrayInputStream(request), SMALL));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "HELO00000001|expected token DIST",
        "DIST0000000g|not 8 hexadecimal digits",
        "DIST+0000001|not 8 hexadecimal digits",
        "DIST 0000001|not 8 hexadecimal digits",
        "DIST00000003|version 3 (pump mode",
        "DIST00000000|unknown distcc protocol version 0",
        "DIST00000004|unknown distcc protocol version 4",
        "DIST000|truncated",
        "DIST00000001ARGC00000000|ARGC 0 is outside",
        "DIST00000001ARGC00000009|ARGC 9 is outside",
        "DIST00000001ARGCffffffff|ARGC 4294967295 is outside",
        "DIST00000001ARGC00000001ARGV00000041|more than the limit of 64",
        "DIST00000001ARGC00000001ARGV00000005gcc|truncated",
        "DIST00000001ARGC00000002ARGV00000003gccARGX00000001x|expected token ARGV",
        "DIST00000001ARGC00000001ARGV00000003gccDOTI00000401|more than the limit of 1024",
        "DIST00000001ARGC00000001ARGV00000003gccDOTI00000010abc|truncated",
        "DIST00000001ARGC00000001ARGV00000003gcc|truncated",
    })
    void malformedRequestIsRefusedWithItsReason(String request, String reason) {
        DistccProtocolException e = refused(request);
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void argumentsTogetherOverTheLimitAreRefused() {
        String a = "x".repeat(40);
        DistccProtocolException e = refused("DIST00000001ARGC00000002ARGV00000028" + a + "ARGV00000028" + a);
        assertTrue(e.getMessage().contains("arguments exceed 64 bytes"), e.getMessage());
    }

    @Test
    void malformedLzoBodyIsRefused() {
        byte[] junk = new byte[40];
        Arrays.fill(junk, (byte) 0xff);
        byte[] head = "DIST00000002ARGC00000001ARGV00000003gccDOTI00000028".getBytes(StandardCharsets.ISO_8859_1);
        byte[] req = Arrays.copyOf(head, head.length + junk.length);
        System.arraycopy(junk, 0, req, head.length, junk.length);
        DistccProtocolException e = refused(req);
        assertTrue(e.getMessage().contains("LZO body"), e.getMessage());
    }

    @Test
    void lzoBodyDecodingBeyondTheLimitIsRefused() throws Exception {
        byte[] plain = new byte[100_000];
        byte[] packed = DistccLzo.compress(plain);
        assertArrayEquals(plain, DistccLzo.decompress(packed, plain.length));
        DistccProtocolException e = assertThrows(DistccProtocolException.class,
                () -> DistccLzo.decompress(packed, plain.length - 1));
        assertTrue(e.getMessage().contains("more than " + (plain.length - 1)), e.getMessage());
    }

    @Test
    void lzoRoundTripsRandomAndRepetitiveBodies() throws Exception {
        Random r = new Random(20);
        for (int n : List.of(1, 2, 15, 16, 17, 255, 4096, 65_537, 1 << 20)) {
            byte[] random = new byte[n];
            r.nextBytes(random);
            assertArrayEquals(random, DistccLzo.decompress(DistccLzo.compress(random), n));
            byte[] text = "int f(void) { return 42; }\n".repeat(n / 27 + 1).getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(text, DistccLzo.decompress(DistccLzo.compress(text), text.length));
        }
    }

    @Test
    void mutatedRequestsNeverEscapeAsAnythingButAProtocolError() {
        byte[] valid = new DistccRequest(2, List.of("gcc", "-c", "x.c", "-o", "x.o"),
                DistccGoldenTest.PREPROCESSED.getBytes(StandardCharsets.US_ASCII)).toBytes();
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = valid.clone();
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            byte[] cut = r.nextInt(4) == 0 ? Arrays.copyOf(m, r.nextInt(m.length)) : m;
            try {
                DistccRequest.readFrom(new ByteArrayInputStream(cut), SMALL);
            } catch (DistccProtocolException expected) {
                // the only failure allowed
            } catch (Exception e) {
                throw new AssertionError("mutation " + i + " escaped as " + e, e);
            }
        }
    }

    @Test
    void completeLengthWaitsForEveryByteAndThenGivesTheRequestsLength() throws Exception {
        byte[] valid = new DistccRequest(2, List.of("gcc", "-c", "x.c", "-o", "x.o"),
                DistccGoldenTest.PREPROCESSED.getBytes(StandardCharsets.US_ASCII)).toBytes();
        for (int n = 0; n < valid.length; n++) {
            assertEquals(-1L, DistccRequest.completeLength(Unpooled.wrappedBuffer(valid, 0, n), SMALL),
                    "incomplete at " + n);
        }
        byte[] more = Arrays.copyOf(valid, valid.length + 5);
        assertEquals(valid.length, DistccRequest.completeLength(Unpooled.wrappedBuffer(more), SMALL));
    }

    @Test
    void completeLengthRefusesAHostileLengthBeforeItsBodyArrives() {
        byte[] head = "DIST00000001ARGC00000001ARGV00000003gccDOTI7fffffff".getBytes(StandardCharsets.ISO_8859_1);
        DistccProtocolException e = assertThrows(DistccProtocolException.class,
                () -> DistccRequest.completeLength(Unpooled.wrappedBuffer(head), SMALL));
        assertTrue(e.getMessage().contains("more than the limit"), e.getMessage());
    }

    @Test
    void emptyReplyMeansTheServerRefused() {
        DistccProtocolException e = assertThrows(DistccProtocolException.class,
                () -> DistccReply.readFrom(new ByteArrayInputStream(new byte[0]), 1, SMALL));
        assertTrue(e.getMessage().contains("without an answer"), e.getMessage());
    }

    @Test
    void replyOfAnotherVersionIsRefused() {
        byte[] reply = "DONE00000001STAT00000000".getBytes(StandardCharsets.ISO_8859_1);
        DistccProtocolException e = assertThrows(DistccProtocolException.class,
                () -> DistccReply.readFrom(new ByteArrayInputStream(reply), 2, SMALL));
        assertTrue(e.getMessage().contains("answered version 1 to a version 2"), e.getMessage());
    }
}
