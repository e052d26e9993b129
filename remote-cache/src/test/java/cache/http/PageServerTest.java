package cache.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared small HTTP port, over a real loopback socket with the JDK's client. */
@Timeout(60)
class PageServerTest {

    private PageServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        server = PageServer.start("page-test", "127.0.0.1", 0, null, path -> {
            if (path.equals("/broken")) {
                throw new IllegalStateException("no counters");
            }
            return new PageServer.Page("text/plain; charset=utf-8", "page " + path + "\n");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void getAnswersThePageForThePathWithoutItsQuery() throws Exception {
        HttpResponse<String> r = send("GET", "/json?pretty=1");
        assertEquals(200, r.statusCode());
        assertEquals("page /json\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
    }

    @Test
    void headAnswersTheLengthWithoutABody() throws Exception {
        HttpResponse<String> r = send("HEAD", "/x");
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals(String.valueOf("page /x\n".length()), r.headers().firstValue("content-length").orElse(""));
    }

    @Test
    void otherMethodsAreRefusedAndAFailingPageIsA500WhileThePortServesOn() throws Exception {
        assertEquals(405, send("POST", "/").statusCode());
        HttpResponse<String> broken = send("GET", "/broken");
        assertEquals(500, broken.statusCode());
        assertTrue(broken.body().contains("no counters"), broken.body());
        assertEquals(200, send("GET", "/").statusCode());
    }
}
