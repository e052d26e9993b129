package cache.frontend.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PrefixMapsTest {

    @Test
    void theCwdIsKeyedAsTheLastMatchingMapWritesIt() {
        List<String> args = List.of("-g", "-fdebug-prefix-map=/w/a=x", "-ffile-prefix-map=/w=y", "-c", "t.c");
        assertEquals("y/a/sub", PrefixMaps.mappedCwd(args, "/w/a/sub"));
        assertEquals("x", PrefixMaps.mappedCwd(List.of("-fdebug-prefix-map=/w/a=x"), "/w/a"));
        assertEquals("/v/a", PrefixMaps.mappedCwd(args, "/v/a"), "no map matches");
        assertEquals("zir1", PrefixMaps.mappedCwd(List.of("-fdebug-prefix-map=/w/d=z"), "/w/dir1"),
                "gcc matches a plain prefix");
    }

    @Test
    void aMapOfTheCwdIsKeyedTheSameInTwoCheckoutsAndOthersAsTyped() {
        List<String> one = PrefixMaps.keyed(List.of("-c", "-fdebug-prefix-map=/w/dir1=n", "-fdebug-prefix-map=foo=bar"), "/w/dir1");
        List<String> two = PrefixMaps.keyed(List.of("-c", "-fdebug-prefix-map=/w/dir2=n", "-fdebug-prefix-map=foo=bar"), "/w/dir2");
        assertEquals(one, two);
        assertEquals(List.of("-c", "-fdebug-prefix-map=<cwd>=n", "-fdebug-prefix-map=foo=bar"), one);
        assertNotEquals(PrefixMaps.keyed(List.of("-ffile-prefix-map=/w/dir1/src=n"), "/w/dir1"),
                PrefixMaps.keyed(List.of("-ffile-prefix-map=/w/dir1/inc=n"), "/w/dir1"));
        List<String> outside = List.of("-fdebug-prefix-map=/w/dir10=n", "-fdebug-prefix-map=/w=n");
        assertSame(outside, PrefixMaps.keyed(outside, "/w/dir1"), "only the cwd and below are relative");
    }
}
