package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.frontend.pipeline.CompilePipeline;
import cache.hashing.Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a prepared manifest keeps in memory: a daemon holds one per direct key it serves. */
class PreparedManifestTest {

    /** The search directories of a git-like compile (its own, then the system's). */
    private static final List<String> DIRS = List.of("/src/git", "/src/git/compat", "/src/git/builtin",
            "/usr/lib/gcc/x86_64-linux-gnu/12/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu",
            "/usr/include");

    private static Digest digest(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One source's manifest: {@code headers} headers, each with a candidate in every search directory five times over. */
    private static Manifest manifest(String source, int headers) {
        List<Manifest.Header> hs = new ArrayList<>();
        for (int h = 0; h < headers; h++) {
            String name = "header_" + h + ".h";
            List<Manifest.Candidate> cands = new ArrayList<>();
            for (int copy = 0; copy < 5; copy++) {
                for (String dir : DIRS) {
                    cands.add(new Manifest.Candidate(dir + (copy == 0 ? "" : "/sub" + copy) + "/" + name, false));
                }
            }
            hs.add(new Manifest.Header("/usr/include/" + name, digest(name), cands));
        }
        return Manifest.decode(Manifest.EMPTY.with(new Manifest.Result(digest(source), hs), 8).encode());
    }

    @Test
    void manifestsNamingTheSameHeadersShareTheirNamesAndKeepTheirEntryKeys() {
        PreparedManifest a = new PreparedManifest(manifest("a.c", 20));
        PreparedManifest b = new PreparedManifest(manifest("b.c", 20));
        for (int i = 0; i < a.candidateName.length; i++) {
            assertSame(a.candidateName[i], b.candidateName[i], "one String for a name in every manifest");
        }
        for (int i = 0; i < a.files.length; i++) {
            assertSame(a.files[i], b.files[i]);
        }
        assertArrayEquals(new Digest[] {digest("a.c")}, a.entryKeys);
    }

    /**
     * git's 137 sources, ~270 headers with ~35 candidates each, must fit the daemon's cache of
     * decoded manifests with room to spare, weighed as the cache weighs them: when they did not,
     * every hit of a warm build decoded its manifest again (1.6× slower).
     */
    @Test
    void aGitSizedProjectsManifestsFitTheDaemonsCache() {
        Manifest m = manifest("x.c", 270);
        long one = new PreparedManifest(m).cacheWeight(m.encode().length);
        long cache = CompilePipeline.Shared.DECODED_MANIFEST_WEIGHT;
        assertTrue(137 * one < cache / 2, "one manifest weighs " + one + " bytes: 137 of them fill "
                + (137 * one >> 20) + " MiB of the " + (cache >> 20) + " MiB cache");
    }
}
