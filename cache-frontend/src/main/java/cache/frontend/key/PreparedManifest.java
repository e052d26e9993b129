package cache.frontend.key;

import cache.hashing.Digest;
import com.github.benmanes.caffeine.cache.Interner;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Manifest} laid out for checking: every distinct header and every distinct
 * shadowing candidate gets an index, candidates are grouped by directory, and each result is
 * a list of indexes. A lookup then stats each header once and reads each candidate
 * directory's listing once, however many results share them, and compares names in a set.
 * Built once per stored manifest version and kept by the daemon: it keeps only these arrays
 * (not the decoded {@link Manifest}), and its paths and names are interned, shared by every
 * manifest that names them. A manifest of a real project holds tens of thousands of candidates
 * (git's sources: ~270 headers with ~35 candidates each), mostly the same names in the same
 * directories from one source to the next.
 */
public final class PreparedManifest {

    /** Paths and names shared across manifests: held once however many manifests name them. */
    private static final Interner<String> NAMES = Interner.newWeakInterner();

    /** Per result: its entry key. */
    final Digest[] entryKeys;
    /** Distinct header paths, as recorded (absolute, or relative to the compile's directory). */
    final String[] files;
    /** Distinct candidate directories, as recorded. */
    final String[] dirs;
    /** Per distinct candidate: its directory's index and its file name. */
    final int[] candidateDir;
    final String[] candidateName;
    /** Per result: header indexes with their digests, candidate indexes with their recorded existence. */
    final int[][] resultFiles;
    final Digest[][] resultDigests;
    final int[][] resultCandidates;
    final boolean[][] resultExisted;

    public PreparedManifest(Manifest manifest) {
        Map<String, Integer> fileIds = new HashMap<>();
        Map<String, Integer> dirIds = new HashMap<>();
        Map<String, Integer> candIds = new HashMap<>();
        List<Manifest.Result> results = manifest.results();
        int n = results.size();
        entryKeys = new Digest[n];
        resultFiles = new int[n][];
        resultDigests = new Digest[n][];
        resultCandidates = new int[n][];
        resultExisted = new boolean[n][];
        java.util.ArrayList<String> dirList = new java.util.ArrayList<>();
        java.util.ArrayList<Integer> cDir = new java.util.ArrayList<>();
        java.util.ArrayList<String> cName = new java.util.ArrayList<>();
        for (int r = 0; r < n; r++) {
            entryKeys[r] = results.get(r).entryKey();
            List<Manifest.Header> headers = results.get(r).headers();
            int[] fs = new int[headers.size()];
            Digest[] ds = new Digest[headers.size()];
            int total = 0;
            for (Manifest.Header h : headers) {
                total += h.candidates().size();
            }
            int[] cs = new int[total];
            boolean[] ex = new boolean[total];
            int c = 0;
            for (int i = 0; i < headers.size(); i++) {
                Manifest.Header h = headers.get(i);
                fs[i] = fileIds.computeIfAbsent(h.path(), k -> fileIds.size());
                ds[i] = h.digest();
                for (Manifest.Candidate cand : h.candidates()) {
                    Integer id = candIds.get(cand.path());
                    if (id == null) {
                        id = candIds.size();
                        candIds.put(cand.path(), id);
                        int slash = cand.path().lastIndexOf('/');
                        String dir = slash < 0 ? "" : (slash == 0 ? "/" : cand.path().substring(0, slash));
                        Integer d = dirIds.get(dir);
                        if (d == null) {
                            d = dirList.size();
                            dirIds.put(dir, d);
                            dirList.add(NAMES.intern(dir));
                        }
                        cDir.add(d);
                        cName.add(NAMES.intern(cand.path().substring(slash + 1)));
                    }
                    cs[c] = id;
                    ex[c] = cand.existed();
                    c++;
                }
            }
            resultFiles[r] = fs;
            resultDigests[r] = ds;
            resultCandidates[r] = cs;
            resultExisted[r] = ex;
        }
        files = new String[fileIds.size()];
        fileIds.forEach((path, id) -> files[id] = NAMES.intern(path));
        dirs = dirList.toArray(new String[0]);
        candidateDir = cDir.stream().mapToInt(Integer::intValue).toArray();
        candidateName = cName.toArray(new String[0]);
    }

    /** Its weight in the daemon's cache of decoded manifests: the stored bytes kept with it, and itself. */
    public int cacheWeight(int storedBytes) {
        return (int) Math.min(Integer.MAX_VALUE, storedBytes + estimatedBytes());
    }

    /**
     * Roughly what this object holds on the heap beyond the interned strings: its arrays and its
     * digests.
     */
    long estimatedBytes() {
        long bytes = 64 + 16L * 8;
        bytes += 16 + 4L * entryKeys.length + 40L * entryKeys.length;
        bytes += 16 + 4L * (files.length + dirs.length + 2L * candidateDir.length);
        for (int r = 0; r < resultFiles.length; r++) {
            bytes += 4 * 16 + 4L * resultFiles[r].length + 44L * resultDigests[r].length
                    + 4L * resultCandidates[r].length + resultExisted[r].length;
        }
        return bytes;
    }
}
