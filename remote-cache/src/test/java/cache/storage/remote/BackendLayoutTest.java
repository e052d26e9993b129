package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisURI;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where each backend puts a key, as ccache's layouts do; the file backend on a real directory. */
@Timeout(30)
class BackendLayoutTest {

    static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    static HttpBackend http(String url, HttpBackend.Layout layout) {
        return new HttpBackend(URI.create(url), layout, Duration.ofMillis(100), Duration.ofSeconds(1), null, null);
    }

    @Test
    void httpLayoutsAreCcaches() {
        assertEquals(URI.create("http://h:8080/c/01/23456789abcdef0123456789abcdef"),
                http("http://h:8080/c", HttpBackend.Layout.SUBDIRS).uri(KEY));
        assertEquals(URI.create("http://h/" + KEY), http("http://h", HttpBackend.Layout.FLAT).uri(KEY));
        assertEquals(URI.create("http://h/c/ac/" + KEY + KEY), http("http://u:p@h/c/", HttpBackend.Layout.BAZEL).uri(KEY));
    }

    @Test
    void redisUrlsGiveHostPortDatabaseAndCredentials() {
        RedisTarget u = RedisTarget.of(URI.create("redis://us:pw@cache.example.com:6380/3"));
        assertEquals(new RedisTarget("cache.example.com", 6380, null, 3, "us", "pw"), u);
        assertFalse(u.toString().contains("pw"), u.toString());
        assertEquals(new RedisTarget("h", 6379, null, 0, null, "p4ss"), RedisTarget.of(URI.create("redis://p4ss@h")));
        RedisTarget s = RedisTarget.of(URI.create("redis+unix://pw@localhost/run/r.sock?db=2"));
        assertEquals(new RedisTarget(null, 0, "/run/r.sock", 2, null, "pw"), s);
        assertTrue(s.unixSocket());
        RedisURI lettuce = RedisSocketBackend.uri(s);
        assertEquals("/run/r.sock", lettuce.getSocket());
        assertEquals(2, lettuce.getDatabase());
        assertFalse(lettuce.toString().contains("pw"), lettuce.toString());
    }

    @Test
    void fileSubdirsLayoutUmaskAndUpdateMtime() throws Exception {
        FileBackend b = new FileBackend(dir.resolve("remote"), true, 0027, true);
        assertNull(b.get(KEY));
        assertTrue(b.put(KEY, new byte[] {1, 2}, false));
        Path p = dir.resolve("remote/01/23456789abcdef0123456789abcdef");
        assertTrue(Files.isRegularFile(p));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(p.getParent())));
        assertFalse(b.put(KEY, new byte[] {3}, true));
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
        assertArrayEquals(new byte[] {1, 2}, b.get(KEY));
        assertTrue(Files.getLastModifiedTime(p).toMillis() > 0, "update-mtime touches a read entry");
        FileBackend flat = new FileBackend(dir.resolve("flat"), false, -1, false);
        flat.put(KEY, new byte[] {4}, false);
        assertTrue(Files.isRegularFile(dir.resolve("flat").resolve(KEY)));
        try (var s = Files.list(dir.resolve("remote/01"))) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }
}
