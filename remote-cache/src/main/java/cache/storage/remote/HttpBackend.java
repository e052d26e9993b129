package cache.storage.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpHead;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * {@code http://HOST[:PORT][/PATH]}: GET, PUT and HEAD as ccache's {@code HttpStorage} sends
 * them, over Apache HttpClient 5's classic (blocking) client: a pool of keep-alive HTTP/1.1
 * connections, each request written and its answer read by the calling thread, as ccache's
 * cpp-httplib does. The JDK's client, which this replaced, hands every exchange to its selector
 * thread and back: a 60 KB GET from nginx on loopback took 1.7–2.6 ms through it against
 * 0.3–0.4 ms on a plain socket (docs/benchmarks.md, "Remote storage", session 18).
 *
 * <p>Layouts map a key to a path below PATH: {@code subdirs} ({@code ab/cdef…}), {@code flat}
 * ({@code abcdef…}) and {@code bazel} ({@code ac/} and 64 hex digits, Bazel's action cache). A
 * GET answered with any status but 2xx is a miss, as in ccache; a PUT answered so is an error.
 * The connect timeout bounds a new connection, the operation timeout each wait for the server
 * (its answer, and every read of its body). A request whose pooled connection failed under it
 * (the server closed it while idle: a restart, its keep-alive timeout) is retried once on a new
 * one; a timeout, a refused connection or a status is not, so a failing server costs a call one
 * failure.
 */
final class HttpBackend implements RemoteBackend {

    enum Layout { SUBDIRS, FLAT, BAZEL }

    private final CloseableHttpClient client;
    private final URI base;
    private final Layout layout;
    private final List<String[]> headers = new ArrayList<>();

    /**
     * @param url the server and path, user info (basic authentication) included
     * @param extraHeaders NAME=VALUE lines (the {@code header=} attributes), or null
     */
    HttpBackend(URI url, Layout layout, Duration connectTimeout, Duration operationTimeout, String bearerToken,
            String extraHeaders) {
        Timeout operation = Timeout.ofMilliseconds(Math.max(1, operationTimeout.toMillis()));
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(64) // more than the daemon's workers and writers: a caller never waits for one
                .setMaxConnPerRoute(64)
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(operation).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(Math.max(1, connectTimeout.toMillis())))
                        .setSocketTimeout(operation)
                        // a connection idle for a while is checked before use (the server may have closed it)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .build())
                .build();
        this.client = HttpClients.custom().setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(operation)
                        .setConnectionRequestTimeout(operation).setRedirectsEnabled(false).build())
                .setRetryStrategy(new StaleConnectionRetry(pool))
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .setUserAgent("cache")
                .build();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.base = URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (path.endsWith("/") ? path : path + "/"));
        this.layout = layout;
        if (url.getUserInfo() != null) {
            headers.add(new String[] {"Authorization",
                "Basic " + Base64.getEncoder().encodeToString(url.getUserInfo().getBytes(StandardCharsets.UTF_8))});
        }
        if (bearerToken != null) {
            headers.add(new String[] {"Authorization", "Bearer " + bearerToken});
        }
        if (extraHeaders != null) {
            extraHeaders.lines().forEach(h -> headers.add(new String[] {h.substring(0, h.indexOf('=')),
                h.substring(h.indexOf('=') + 1)}));
        }
    }

    /**
     * Retries a request once when its connection failed under it (a pooled connection the server
     * closed while it idled: a restart, its keep-alive timeout), as HttpClient's default strategy
     * does for idempotent methods (GET, HEAD and PUT all are); never after a timeout, a refused or
     * unreachable connection or a TLS failure, which a new connection would meet again, and never
     * on a status. The other idle connections are closed first: they went with the same server
     * (a retry on one of them failed as well: seen with nginx restarted under a {@code -j2} build).
     */
    private static final class StaleConnectionRetry implements HttpRequestRetryStrategy {
        private final PoolingHttpClientConnectionManager pool;

        StaleConnectionRetry(PoolingHttpClientConnectionManager pool) {
            this.pool = pool;
        }

        @Override
        public boolean retryRequest(HttpRequest request, IOException exception, int execCount, HttpContext context) {
            boolean retry = execCount <= 1 && !(exception instanceof InterruptedIOException
                    || exception instanceof java.net.ConnectException
                    || exception instanceof java.net.NoRouteToHostException
                    || exception instanceof java.net.UnknownHostException
                    || exception instanceof javax.net.ssl.SSLException);
            if (retry) {
                pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
            }
            return retry;
        }

        @Override
        public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
            return false;
        }

        @Override
        public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
            return TimeValue.ZERO_MILLISECONDS;
        }
    }

    /** Where {@code key} (hex digits) lives on the server. */
    URI uri(String key) {
        String rel = switch (layout) {
            case SUBDIRS -> key.substring(0, 2) + "/" + key.substring(2);
            case FLAT -> key;
            case BAZEL -> "ac/" + (key + key.repeat(64 / key.length())).substring(0, 64);
        };
        return base.resolve(rel);
    }

    private <R extends HttpUriRequestBase> R request(R r) {
        for (String[] h : headers) {
            r.addHeader(h[0], h[1]);
        }
        return r;
    }

    @Override
    public byte[] get(String key) throws BackendException {
        HttpGet get = request(new HttpGet(uri(key)));
        return send(get, r -> {
            if (r.getCode() / 100 != 2) {
                release(r.getEntity());
                return null;
            }
            return r.getEntity() == null ? new byte[0] : body(r.getEntity());
        });
    }

    /** The largest value taken, as Redis's own default limit ({@code proto-max-bulk-len}). */
    static final int MAX_VALUE = 512 << 20;
    /** The largest body read into an array of its announced length before it arrives. */
    private static final int PREALLOCATED = 16 << 20;

    /**
     * The whole body of an answer. With its length known, read straight into an array of that
     * size, each read asking the socket for all that is left: {@code EntityUtils.toByteArray}
     * copies through a buffer of 4 KiB, one system call per 4 KiB of a value (nine for one of
     * lua's manifests with its entry).
     */
    static byte[] body(HttpEntity entity) throws IOException {
        long length = entity.getContentLength();
        InputStream in = entity.getContent();
        if (in == null) {
            return new byte[0];
        }
        byte[] b;
        try {
            b = read(in, length);
        } catch (IOException | RuntimeException e) {
            abort(in);
            throw e;
        }
        in.close(); // read to its end: the connection goes back to the pool
        return b;
    }

    private static byte[] read(InputStream in, long length) throws IOException {
        if (length > MAX_VALUE) {
            throw new IOException("a value of " + length + " bytes: more than the " + MAX_VALUE + " taken");
        }
        if (length < 0) { // chunked: as it comes
            byte[] b = in.readNBytes(MAX_VALUE + 1);
            if (b.length > MAX_VALUE) {
                throw new IOException("a value of more than " + MAX_VALUE + " bytes");
            }
            return b;
        }
        int got;
        byte[] b;
        if (length > PREALLOCATED) { // as it comes: a length announced is no memory taken before its bytes
            b = in.readNBytes((int) length);
            got = b.length;
        } else {
            b = new byte[(int) length];
            got = 0;
            for (int n; got < b.length && (n = in.read(b, got, b.length - got)) >= 0; ) {
                got += n;
            }
        }
        if (got != length) { // the stream's own check (a connection closed early) normally throws first
            throw new IOException("body of " + length + " bytes cut short at " + got);
        }
        return b;
    }

    /** The longest body of an unwanted answer (a miss's, a PUT's) read away to reuse its connection. */
    private static final int READ_AWAY = 64 << 10;

    /**
     * Lets go of an answer's body that is not wanted: read away when short, so that the connection
     * goes back to the pool; else (longer, or of unknown length) the connection is dropped.
     */
    private static void release(HttpEntity entity) throws IOException {
        if (entity == null) {
            return;
        }
        long length = entity.getContentLength();
        if (length >= 0 && length <= READ_AWAY) {
            EntityUtils.consume(entity);
            return;
        }
        InputStream in = entity.getContent();
        if (in != null) {
            abort(in);
        }
    }

    /**
     * Drops the connection of a body not read to its end (refused, cut short, timed out).
     * Closing it instead would read the rest of the body to reuse the connection, which HttpClient
     * does: all of a body refused for its announced size, or another timeout's wait after a read
     * that timed out. Any other stream (tests) is closed.
     */
    private static void abort(InputStream in) {
        try {
            if (in instanceof EofSensorInputStream sensor) {
                sensor.abort();
            } else {
                in.close();
            }
        } catch (IOException e) {
            // the connection is gone either way
        }
    }

    @Override
    public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
        if (onlyIfMissing) {
            int head = send(request(new HttpHead(uri(key))), r -> r.getCode());
            if (head / 100 == 2) {
                return false;
            }
        }
        HttpPut put = request(new HttpPut(uri(key)));
        put.setEntity(new ByteArrayEntity(value, ContentType.APPLICATION_OCTET_STREAM));
        int status = send(put, r -> {
            release(r.getEntity());
            return r.getCode();
        });
        if (status / 100 != 2) {
            throw new BackendException("PUT " + put.getPath() + ": status code: " + status, false); // ccache's words
        }
        return true;
    }

    /** What {@code handler} makes of the answer to {@code req}, the connection released after it. */
    private <T> T send(HttpUriRequestBase req, org.apache.hc.core5.http.io.HttpClientResponseHandler<T> handler)
            throws BackendException {
        try {
            return client.execute(req, handler);
        } catch (SocketTimeoutException e) { // a connect (ConnectTimeoutException) or a read that timed out
            throw new BackendException(req.getMethod() + " " + req.getPath() + ": timed out: " + e.getMessage(), true, e);
        } catch (InterruptedIOException e) {
            // the pool's wait for a connection timed out, or the thread was interrupted
            boolean interrupted = Thread.currentThread().isInterrupted();
            throw new BackendException(req.getMethod() + " " + req.getPath() + ": " + e, !interrupted, e);
        } catch (IOException e) {
            throw new BackendException(req.getMethod() + " " + req.getPath() + ": " + e, false, e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // closing idle connections: nothing to do about a failure
        }
    }
}
