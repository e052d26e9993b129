package cache.frontend.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.frontend.pipeline.CompilePipeline;
import cache.hashing.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
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
        PreparedManifest a = PreparedManifest.of(manifest("a.c", 20));
        PreparedManifest b = PreparedManifest.of(manifest("b.c", 20));
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
        long one = PreparedManifest.of(m).cacheWeight(m.encode().length);
        long cache = CompilePipeline.Shared.DECODED_MANIFEST_WEIGHT;
        assertTrue(137 * one < cache / 2, "one manifest weighs " + one + " bytes: 137 of them fill "
                + (137 * one >> 20) + " MiB of the " + (cache >> 20) + " MiB cache");
    }

    /**
     * The decoder reads the stored bytes straight into the arrays; what it gives must be the
     * manifest's results, newest last, each header with its digest and each candidate with its
     * directory, name and recorded existence, shared indexes for shared paths.
     */
    @Test
    void decodingGivesEveryResultsHeadersAndCandidatesAsRecorded() {
        Manifest.Header stdio = new Manifest.Header("/usr/include/stdio.h", digest("stdio"), List.of(
                new Manifest.Candidate("/usr/local/include/stdio.h", false),
                new Manifest.Candidate("/src/p/stdio.h", true)));
        Manifest.Header local = new Manifest.Header("inc/a.h", digest("a"), List.of(
                new Manifest.Candidate("a.h", false), new Manifest.Candidate("/stdio.h", false)));
        Manifest.Header changed = new Manifest.Header("inc/a.h", digest("a2"), local.candidates());
        Manifest m = Manifest.EMPTY.with(new Manifest.Result(digest("r1"), List.of(stdio, local)), 8)
                .with(new Manifest.Result(digest("r2"), List.of(changed)), 8);

        PreparedManifest p = PreparedManifest.decode(m.encode());

        assertArrayEquals(new Digest[] {digest("r1"), digest("r2")}, p.entryKeys);
        assertEquals(List.of("/usr/include/stdio.h", "inc/a.h"), List.of(p.files));
        assertArrayEquals(new int[] {0, 1}, p.resultFiles[0]);
        assertArrayEquals(new Digest[] {digest("stdio"), digest("a")}, p.resultDigests[0]);
        assertArrayEquals(new int[] {1}, p.resultFiles[1], "one index for the path both results name");
        assertArrayEquals(new Digest[] {digest("a2")}, p.resultDigests[1]);
        List<String> candidates = new ArrayList<>();
        for (int c = 0; c < p.candidateName.length; c++) {
            candidates.add(p.dirs[p.candidateDir[c]] + "|" + p.candidateName[c]);
        }
        assertEquals(List.of("/usr/local/include|stdio.h", "/src/p|stdio.h", "|a.h", "/|stdio.h"), candidates);
        assertArrayEquals(new int[] {0, 1, 2, 3}, p.resultCandidates[0]);
        assertArrayEquals(new boolean[] {false, true, false, false}, p.resultExisted[0]);
        assertArrayEquals(new int[] {2, 3}, p.resultCandidates[1], "shared candidates keep their indexes");
    }

    /**
     * More distinct candidates than the decode's pair table starts with (2,048), shared between
     * results: each result's candidates are still the ones recorded, in order, and a pair named
     * twice has one index.
     */
    @Test
    void tensOfThousandsOfCandidatesAcrossResultsKeepTheirPairsAndIndexes() {
        Manifest m = Manifest.EMPTY;
        List<List<String>> recorded = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            List<Manifest.Header> hs = new ArrayList<>();
            List<String> pairs = new ArrayList<>();
            for (int h = 0; h < 100; h++) {
                List<Manifest.Candidate> cands = new ArrayList<>();
                for (int c = 0; c < 40; c++) {
                    // half of each result's candidates are shared with every other result
                    String dir = "/d" + c + (h % 2 == 0 ? "" : "/r" + r);
                    cands.add(new Manifest.Candidate(dir + "/h" + h + ".h", c % 3 == 0));
                    pairs.add(dir + "|h" + h + ".h");
                }
                hs.add(new Manifest.Header("/usr/include/h" + h + ".h", digest("h" + h + r), cands));
            }
            m = m.with(new Manifest.Result(digest("r" + r), hs), 8);
            recorded.add(pairs);
        }
        PreparedManifest p = PreparedManifest.decode(m.encode());
        assertEquals(4, p.entryKeys.length);
        assertEquals(2000 + 4 * 2000, p.candidateName.length, "each distinct pair once");
        for (int r = 0; r < 4; r++) {
            List<String> decoded = new ArrayList<>();
            for (int c : p.resultCandidates[r]) {
                decoded.add(p.dirs[p.candidateDir[c]] + "|" + p.candidateName[c]);
            }
            assertEquals(recorded.get(r), decoded, "result " + r);
        }
        assertArrayEquals(p.resultCandidates[0], PreparedManifest.decode(m.encode()).resultCandidates[0]);
    }

    /**
     * The key a remote hit starts reading before the decode is the newest result's, as the
     * decode gives it, whatever the results before it hold; a manifest with no result, or one
     * too damaged to skip over, names none.
     */
    @Test
    void theKeyToldBeforeTheDecodeIsTheNewestResults() {
        Manifest m = Manifest.EMPTY;
        for (int r = 0; r < 5; r++) {
            List<Manifest.Header> hs = new ArrayList<>();
            for (int h = 0; h <= r; h++) { // results of different sizes: a skip that miscounts lands elsewhere
                List<Manifest.Candidate> cands = new ArrayList<>();
                for (int c = 0; c < 3 * h; c++) {
                    cands.add(new Manifest.Candidate("/d" + c + "/h" + h + ".h", c % 2 == 0));
                }
                hs.add(new Manifest.Header("/usr/include/h" + h + "_" + r + ".h", digest("h" + h + r), cands));
            }
            m = m.with(new Manifest.Result(digest("r" + r), hs), 8);
            List<Digest> told = new ArrayList<>();
            PreparedManifest p = PreparedManifest.decode(m.encode(), told::add);
            assertEquals(List.of(digest("r" + r)), told, "after " + (r + 1) + " results");
            assertEquals(p.newestEntryKey(), told.get(0));
        }
        List<Digest> told = new ArrayList<>();
        PreparedManifest.decode(Manifest.EMPTY.encode(), told::add);
        PreparedManifest.decode(rawManifest(ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).array()),
                told::add);
        PreparedManifest.decode(null, told::add);
        assertEquals(List.of(), told);
    }

    /** Damaged, truncated or lying bytes are an empty manifest (a preprocessor run), never an exception or a huge allocation. */
    @Test
    void damagedManifestsDecodeAsEmpty() {
        byte[] good = Manifest.EMPTY.with(new Manifest.Result(digest("r"), List.of(new Manifest.Header("a.h",
                digest("a"), List.of(new Manifest.Candidate("/x/a.h", false))))), 8).encode();
        assertEquals(1, PreparedManifest.decode(good).entryKeys.length);
        List<byte[]> bad = new ArrayList<>();
        bad.add(null);
        bad.add(new byte[0]);
        bad.add(Arrays.copyOf(good, good.length - 3));
        byte[] version = good.clone();
        version[0] = 1; // the format that stored each candidate's whole path: recorded again
        bad.add(version);
        // A valid zstd body whose string count claims more strings than there are bytes.
        bad.add(rawManifest(ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).array()));
        // A candidate naming a string index beyond the table.
        bad.add(rawManifest(ByteBuffer.allocate(4 + 4 + 1 + 4 + 16 + 4 + 4 + 16 + 4 + 9).putInt(1).putInt(1)
                .put((byte) 'a').putInt(1).putLong(1).putLong(2).putInt(1).putInt(0).putLong(3).putLong(4).putInt(1)
                .putInt(5).putInt(6).put((byte) 0).array()));
        // A header naming a string index beyond the table.
        bad.add(rawManifest(ByteBuffer.allocate(4 + 4 + 16 + 4 + 4 + 16 + 4).putInt(0).putInt(1)
                .putLong(1).putLong(2).putInt(1).putInt(7).putLong(3).putLong(4).putInt(0).array()));
        byte[] body = Manifest.body(good).array();
        for (int n = 0; n < body.length; n++) {
            bad.add(rawManifest(Arrays.copyOf(body, n))); // every cut of an intact body
        }
        for (byte[] b : bad) {
            PreparedManifest p = PreparedManifest.decode(b);
            assertEquals(0, p.entryKeys.length);
            assertEquals(0, p.files.length);
        }
    }

    /** An encoded manifest around {@code body} (version byte, raw length, zstd). */
    private static byte[] rawManifest(byte[] body) {
        byte[] packed = com.github.luben.zstd.Zstd.compress(body, 1);
        return ByteBuffer.allocate(5 + packed.length).put((byte) Manifest.VERSION).putInt(body.length).put(packed).array();
    }
}
