package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.BasicHttpEntity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HttpBackend#body}: an answer's body read whole, by its length when it has one. */
@Timeout(30)
class HttpBackendBodyTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /** A stream that hands out at most {@code step} bytes per read, as a socket does. */
    private static InputStream trickling(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void aBodyOfKnownLengthIsReadWholeThoughTheSocketGivesItInPieces() throws IOException {
        for (int n : new int[] {0, 1, 37_232, 3 << 20}) {
            byte[] data = bytes(n);
            assertArrayEquals(data, HttpBackend.body(new BasicHttpEntity(trickling(data, 1_500), n,
                    ContentType.APPLICATION_OCTET_STREAM)), n + " bytes");
        }
    }

    @Test
    void aLargeBodyIsReadAsItComesAndChecked() throws IOException {
        byte[] data = bytes(20 << 20); // over what is taken before it arrives
        assertArrayEquals(data, HttpBackend.body(new BasicHttpEntity(trickling(data, 65_536), data.length,
                ContentType.APPLICATION_OCTET_STREAM)));
        IOException e = assertThrows(IOException.class, () -> HttpBackend.body(new BasicHttpEntity(
                trickling(data, 65_536), data.length + 1L, ContentType.APPLICATION_OCTET_STREAM)));
        assertTrue(e.getMessage().contains("cut short at " + data.length), e.getMessage());
    }

    @Test
    void aBodyAnnouncedLargerThanAnyValueIsRefusedBeforeItIsRead() {
        InputStream never = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read");
            }
        };
        IOException e = assertThrows(IOException.class, () -> HttpBackend.body(new BasicHttpEntity(never,
                HttpBackend.MAX_VALUE + 1L, ContentType.APPLICATION_OCTET_STREAM)));
        assertTrue(e.getMessage().contains("more than the " + HttpBackend.MAX_VALUE), e.getMessage());
    }

    @Test
    void aChunkedBodyIsReadToItsEnd() throws IOException {
        byte[] data = bytes(100_000);
        assertArrayEquals(data, HttpBackend.body(new BasicHttpEntity(trickling(data, 4_096), -1,
                ContentType.APPLICATION_OCTET_STREAM, null, true)));
    }

    @Test
    void aBodyShorterThanItsLengthIsAnErrorNotAShortValue() {
        byte[] data = bytes(10_000);
        IOException e = assertThrows(IOException.class, () -> HttpBackend.body(new BasicHttpEntity(
                trickling(data, 4_096), 12_000, ContentType.APPLICATION_OCTET_STREAM)));
        assertTrue(e.getMessage().contains("cut short at 10000"), e.getMessage());
    }

    /**
     * A real server on loopback announces a value over the limit and then sends it as fast as the
     * socket takes it. The GET fails, and the connection is dropped: closing it instead would have
     * read (and thrown away) the whole announced body, as HttpClient does to reuse a connection.
     */
    @Test
    void aRefusedBodyDropsItsConnectionInsteadOfReadingTheRest() throws Exception {
        long announced = HttpBackend.MAX_VALUE + 1L;
        long sent = sentBy("200 OK", announced, http -> {
            BackendException e = assertThrows(BackendException.class, () -> http.get("0123456789abcdef"));
            assertTrue(e.getMessage().contains("more than the " + HttpBackend.MAX_VALUE), e.getMessage());
        });
        assertTrue(sent < 64L << 20, "the server could send " + sent + " of the " + announced + " bytes announced");
    }

    /** The same for a miss whose answer (a 404 page) is long: a miss, and its page not read to the end. */
    @Test
    void aLongAnswerToAMissDropsItsConnectionInsteadOfReadingIt() throws Exception {
        long announced = 256L << 20;
        long sent = sentBy("404 Not Found", announced, http -> {
            try {
                assertNull(http.get("0123456789abcdef"));
            } catch (BackendException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(sent < 64L << 20, "the server could send " + sent + " of the " + announced + " bytes announced");
    }

    /**
     * How many bytes of a body of {@code announced} bytes a server on loopback, answering with
     * {@code status} and writing as fast as the socket takes it, got to send while {@code call}
     * ran with an {@link HttpBackend} of it (and until the backend was closed).
     */
    private static long sentBy(String status, long announced, java.util.function.Consumer<HttpBackend> call)
            throws Exception {
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.BufferedReader req = new java.io.BufferedReader(new java.io.InputStreamReader(
                            s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    for (String line = req.readLine(); line != null && !line.isEmpty(); line = req.readLine()) {
                        // the request's head
                    }
                    java.io.OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + announced + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    byte[] chunk = new byte[1 << 16];
                    while (sent.get() < announced) {
                        int n = (int) Math.min(chunk.length, announced - sent.get());
                        out.write(chunk, 0, n);
                        sent.addAndGet(n);
                    }
                } catch (IOException e) {
                    // the client dropped the connection
                }
            });
            serving.start();
            HttpBackend http = new HttpBackend(java.net.URI.create("http://127.0.0.1:" + server.getLocalPort() + "/c"),
                    HttpBackend.Layout.SUBDIRS, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5), null, null);
            try {
                call.accept(http);
            } finally {
                http.close();
            }
            serving.join(20_000);
            assertTrue(!serving.isAlive(), "the server still sending");
        }
        return sent.get();
    }
}
