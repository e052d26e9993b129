package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
