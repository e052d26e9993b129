package cache.storage.remote;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code http://HOST[:PORT][/PATH]}: GET, PUT and HEAD as ccache's {@code HttpStorage} sends
 * them, over the JDK's client (HTTP/1.1, connections kept alive and reused). Layouts map a key
 * to a path below PATH: {@code subdirs} ({@code ab/cdef…}), {@code flat} ({@code abcdef…}) and
 * {@code bazel} ({@code ac/} and 64 hex digits, Bazel's action cache). A GET answered with any
 * status but 2xx is a miss, as in ccache; a PUT answered so is an error.
 */
final class HttpBackend implements RemoteBackend {

    enum Layout { SUBDIRS, FLAT, BAZEL }

    private final HttpClient client;
    private final URI base;
    private final Layout layout;
    private final Duration operationTimeout;
    private final List<String> headers = new ArrayList<>();

    /**
     * @param url the server and path, user info (basic authentication) included
     * @param extraHeaders NAME=VALUE lines (the {@code header=} attributes), or null
     */
    HttpBackend(URI url, Layout layout, Duration connectTimeout, Duration operationTimeout, String bearerToken,
            String extraHeaders) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.base = URI.create(url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (path.endsWith("/") ? path : path + "/"));
        this.layout = layout;
        this.operationTimeout = operationTimeout;
        headers.add("User-Agent");
        headers.add("cache");
        if (url.getUserInfo() != null) {
            headers.add("Authorization");
            headers.add("Basic " + Base64.getEncoder().encodeToString(url.getUserInfo().getBytes(StandardCharsets.UTF_8)));
        }
        if (bearerToken != null) {
            headers.add("Authorization");
            headers.add("Bearer " + bearerToken);
        }
        if (extraHeaders != null) {
            extraHeaders.lines().forEach(h -> {
                headers.add(h.substring(0, h.indexOf('=')));
                headers.add(h.substring(h.indexOf('=') + 1));
            });
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

    private HttpRequest.Builder request(String key) {
        return HttpRequest.newBuilder(uri(key)).timeout(operationTimeout).headers(headers.toArray(String[]::new));
    }

    @Override
    public byte[] get(String key) throws BackendException {
        HttpResponse<byte[]> r = send(request(key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        return r.statusCode() / 100 == 2 ? r.body() : null;
    }

    @Override
    public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
        if (onlyIfMissing) {
            HttpResponse<Void> head = send(request(key).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (head.statusCode() / 100 == 2) {
                return false;
            }
        }
        HttpResponse<Void> r = send(request(key).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
            throw new BackendException("PUT " + uri(key).getPath() + ": status " + r.statusCode(), false);
        }
        return true;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> body) throws BackendException {
        try {
            return client.send(req, body);
        } catch (HttpTimeoutException e) {
            throw new BackendException(req.method() + " " + req.uri().getPath() + ": " + e.getMessage(), true, e);
        } catch (IOException e) {
            throw new BackendException(req.method() + " " + req.uri().getPath() + ": " + e, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(req.method() + " " + req.uri().getPath() + ": interrupted", false, e);
        }
    }

    @Override
    public void close() {
        // the JDK 17 client has no close(); its idle connections go with it
    }
}
