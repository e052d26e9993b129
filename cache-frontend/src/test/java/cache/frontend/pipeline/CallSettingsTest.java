package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallSettingsTest {

    @Test
    void wordsSplitOnAnyBlanks() {
        assertEquals(List.of("distcc", "-j", "4"), CallSettings.words("  distcc\t-j  4 "));
        assertEquals(List.of(), CallSettings.words("   "));
    }

    @Test
    void ignoreOptionsMatchExactlyOrByPrefixWithAStar() {
        List<String> patterns = CallSettings.words("-Wextra -fmessage-length=*");
        assertTrue(CallSettings.ignored("-Wextra", patterns));
        assertFalse(CallSettings.ignored("-Wextra-semi", patterns));
        assertTrue(CallSettings.ignored("-fmessage-length=0", patterns));
        assertFalse(CallSettings.ignored("-fmessage", patterns));
    }

    @Test
    void prefixIsResolvedOnTheCallersPath() {
        List<String> p = CallSettings.prefix("sh -x", Path.of("/tmp"), Map.of("PATH", "/nonexistent:/bin"));
        assertEquals(List.of("/bin/sh", "-x"), p);
        assertEquals(List.of("/tmp/rel/wrap"), CallSettings.prefix("rel/wrap", Path.of("/tmp"), Map.of()));
        assertEquals(List.of("nowhere-xyz"), CallSettings.prefix("nowhere-xyz", Path.of("/"), Map.of("PATH", "/bin")));
    }

    @Test
    void theRealCompilerSkipsLinksToTheClientWhateverItIsCalledAndRelativeDirsAreTheCallers(
            @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path client = java.nio.file.Files.writeString(tmp.resolve("mywrapper"), "#!/bin/sh\n");
        Path links = java.nio.file.Files.createDirectories(tmp.resolve("links"));
        Path real = java.nio.file.Files.createDirectories(tmp.resolve("real"));
        java.nio.file.Files.createSymbolicLink(links.resolve("gcc"), client);
        java.nio.file.Files.writeString(real.resolve("gcc"), "#!/bin/sh\n");
        for (Path p : List.of(client, real.resolve("gcc"))) {
            java.nio.file.Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertEquals(real.resolve("gcc"), CompilePipeline.realCompiler("gcc", "links:real", tmp, client));
        assertEquals(links.resolve("gcc"), CompilePipeline.realCompiler("gcc", "links:real", tmp, null),
                "without the client's identity only its name (cache, ccache) gives it away");
    }
}
