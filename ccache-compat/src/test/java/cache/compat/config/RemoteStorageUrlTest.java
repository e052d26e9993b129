package cache.compat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class RemoteStorageUrlTest {

    /** Every example of ccache 4.7.5's manual, "Remote storage backends". */
    @ParameterizedTest
    @ValueSource(strings = {
        "redis://cache-*.example.com|shards=a(3),b(1),c(1.5)",
        "http://example.com/*|shards=alpha,beta",
        "file:/shared/nfs/directory",
        "file:///shared/nfs/directory|umask=002|update-mtime=true",
        "file://localhost/shared/folder",
        "http://localhost",
        "http://someusername:p4ssw0rd@example.com/cache/",
        "http://localhost:8080|layout=bazel|connect-timeout=50",
        "redis://localhost",
        "redis://p4ssw0rd@cache.example.com:6379/0|connect-timeout=50",
        "redis+unix:/run/redis.sock",
        "redis+unix:///run/redis.sock",
        "redis+unix://p4ssw0rd@localhost/run/redis.sock?db=0",
    })
    void manualExamplesParse(String entry) throws ConfigException {
        RemoteStorageUrl u = RemoteStorageUrl.parse(entry);
        assertFalse(u.forLogging().contains("p4ssw0rd"), u.forLogging());
    }

    @Test
    void attributesAndDefaultsAreReadAsCcacheReadsThem() throws ConfigException {
        RemoteStorageUrl u = RemoteStorageUrl.parse("http://h:8080/c/|read-only|layout=flat|operation-timeout=250");
        assertTrue(u.readOnly());
        assertEquals("flat", u.attribute("layout"));
        assertEquals(100, u.connectTimeoutMs());
        assertEquals(250, u.operationTimeoutMs());
        RemoteStorageUrl w = RemoteStorageUrl.parse("redis://h|read-only=false||");
        assertFalse(w.readOnly());
        assertEquals(10_000, w.operationTimeoutMs());
    }

    @Test
    void shardsCarryTheirWeightsAndExpandTheStar() throws ConfigException {
        RemoteStorageUrl u = RemoteStorageUrl.parse("redis://cache-*.example.com|shards=a(3),b(1),c(1.5)");
        assertEquals(List.of(new RemoteStorageUrl.Shard("a", 3), new RemoteStorageUrl.Shard("b", 1),
                new RemoteStorageUrl.Shard("c", 1.5)), u.shards());
        assertEquals(URI.create("redis://cache-b.example.com"), u.uri("b"));
    }

    @Test
    void percentEncodedValuesAreDecoded() throws ConfigException {
        RemoteStorageUrl u = RemoteStorageUrl.parse("http://h/|header=X-A=a%7Cb%20c%25");
        assertEquals("X-A=a|b c%", u.attribute("header"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "|read-only",
        "localhost:6379",
        "ftp://host/x",
        "redis://host|shards=a,b",
        "redis://cache-*|shards=a(x)",
        "redis://cache-*|shards=a(-1)",
        "redis://cache-*|shards=a(2",
        "http://h|connect-timeout=fast",
        "http://h|layout=deep",
        "file:/x|umask=9",
        "file:relative/dir",
        "redis://h/notanumber",
        "redis+unix:/run/r.sock?db=x",
        "http://user@h/",
        "http://h|header=novalue",
        "http://h/%zz|bearer-token=%zz",
    })
    void malformedEntriesAreRefusedWithAMessage(String entry) {
        ConfigException e = assertThrows(ConfigException.class, () -> RemoteStorageUrl.parse(entry));
        assertFalse(e.getMessage().isBlank());
    }

    /** ccache 4.7.5's test/suites/remote_url.bash, and what Debian's ccache printed for the others. */
    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '"', value = {
        "|;remote storage config must provide a URL: |",
        "|key=value;remote storage config must provide a URL: |key=value",
        "://qwerty;Cannot parse URL ://qwerty: Scheme in '://qwerty' is invalid",
        "/qwerty;URL scheme must not be empty: /qwerty",
        "http://foo@;Cannot parse URL http://********@: User info defined, but host is empty",
        "file:foo:bar;Cannot parse URL file:foo:bar: The first segment of the relative path can't contain ':'",
        "ftp://x;unknown remote storage URL: ftp://x",
    })
    void entriesCcacheRefusesAreFatalWithCcachesMessage(String entry, String message) {
        ConfigException e = assertThrows(RemoteStorageUrl.Unusable.class, () -> RemoteStorageUrl.parse(entry));
        assertEquals(message, e.getMessage());
        assertEquals(message, RemoteStorageUrl.parseAll("file:/ok " + entry).fatal(), "one such entry stops the call");
        assertEquals(message, RemoteStorageUrl.fatalError("file:/ok " + entry));
    }

    /** Entries ccache accepts (and then fails to use, counting errors): left out here, never fatal. */
    @ParameterizedTest
    @ValueSource(strings = {"file:relative/dir", "http://", "http:x", "redis://", "http://user@h/", "file:/ok"})
    void entriesCcacheAcceptsAreNeverFatal(String entry) {
        assertNull(RemoteStorageUrl.parseAll(entry).fatal());
        assertNull(RemoteStorageUrl.fatalError(entry));
    }

    @Test
    void aMalformedEntryIsLeftOutAndTheOthersKept() {
        RemoteStorageUrl.Parsed p = RemoteStorageUrl.parseAll("  redis://a  ftp://s3cret:pw@b http://c|layout=flat ");
        assertEquals(2, p.urls().size());
        assertEquals(1, p.errors().size());
        assertFalse(p.errors().get(0).contains("pw@"), p.errors().get(0));
        assertFalse(p.fatal().contains("pw@"), p.fatal());
    }

    @Test
    void credentialsAreRedactedInEveryShownForm() throws ConfigException {
        String value = "redis://p4ss@h:1/2 http://u:p4ss@h/x|bearer-token=t0k|header=Authorization=Basic%20x "
                + "redis+unix://us:p4ss@localhost/run/r.sock?db=1 file:/d|umask=022";
        String shown = RemoteStorageUrl.redact(value);
        assertEquals("redis://********@h:1/2 http://u:********@h/x|bearer-token=********|header=Authorization=******** "
                + "redis+unix://us:********@localhost/run/r.sock?db=1 file:/d|umask=022", shown);
        for (RemoteStorageUrl u : RemoteStorageUrl.parseAll(value).urls()) {
            assertFalse(u.forLogging().contains("p4ss") || u.forLogging().contains("t0k")
                    || u.forLogging().contains("Basic"), u.forLogging());
        }
        assertEquals("http://h:8080/c|layout=bazel", RemoteStorageUrl.redact("http://h:8080/c|layout=bazel"));
    }
}
