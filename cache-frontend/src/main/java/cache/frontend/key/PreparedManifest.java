package cache.frontend.key;

import cache.hashing.Digest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Manifest} laid out for checking: every distinct header and every shadowing
 * candidate gets an index (one per distinct candidate when several results may share it; a
 * manifest of one result indexes its candidates as they come), candidates are grouped by
 * directory, and each result is a list of indexes. A lookup then stats each header once and
 * reads each candidate directory's listing once, however many results share them, and
 * compares names in a set.
 * Built once per stored manifest version and kept by the daemon: it keeps only these arrays
 * (not the decoded {@link Manifest}), and its paths and names are interned, shared by every
 * manifest that names them. A manifest of a real project holds tens of thousands of candidates
 * (git's sources: ~270 headers with ~35 candidates each), mostly the same names in the same
 * directories from one source to the next.
 */
public final class PreparedManifest {

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

    /**
     * The last answer of {@link DirectMode#match} for this manifest (working directory and
     * sloppiness included), with the stat answers it was drawn from; valid while they are
     * unchanged. Only with a {@link cache.hashing.FileWatch}.
     */
    volatile Matched matched;

    /** A remembered match ({@link #matched}); {@code entryKey} null when no result held. */
    record Matched(String cwd, java.util.Set<cache.compat.config.Sloppiness> sloppy, Digest entryKey,
            cache.hashing.FileWatch.Dependencies since) {}

    /** The manifest with no results. */
    public static final PreparedManifest EMPTY = decode(null);

    /**
     * A stored manifest ({@link Manifest#encode}'s bytes) decoded straight into this layout,
     * without building the {@link Manifest} of records first: the string table's indexes
     * become header, directory and candidate indexes, and each string of the table becomes at
     * most one (interned) {@code String}, however many candidates name it. Anything
     * undecodable is {@link #EMPTY}, as for {@link Manifest#decode}: a damaged manifest only
     * costs a preprocessor run.
     */
    public static PreparedManifest decode(byte[] bytes) {
        return decode(bytes, null);
    }

    /**
     * {@link #decode(byte[])}, telling {@code newest} (when not null) the newest result's entry
     * key before the decode proper: found by a pass that only skips over the decompressed body
     * (a few microseconds against the decode's fraction of a millisecond), so that a caller can
     * start reading that entry while the rest is decoded. {@code newest} hears nothing when the
     * manifest has no result or is undecodable.
     */
    public static PreparedManifest decode(byte[] bytes, Consumer<Digest> newest) {
        ByteBuffer body = Manifest.body(bytes);
        if (body != null) {
            Digest key = newest == null ? null : newestEntryKeyOrNull(body.duplicate());
            if (key != null) {
                newest.accept(key); // outside the decode's catch: its failure is not a damaged manifest
            }
            try {
                return new PreparedManifest(body);
            } catch (RuntimeException e) {
                // damaged: as empty
            }
        }
        return new PreparedManifest(ByteBuffer.wrap(new byte[8]));
    }

    private static Digest newestEntryKeyOrNull(ByteBuffer body) {
        try {
            return newestEntryKey(body);
        } catch (RuntimeException e) {
            return null; // damaged: the decode finds it so too
        }
    }

    /**
     * The last result's entry key in a decompressed body ({@link Manifest}'s layout), every
     * count checked as the decode checks it; null when there is no result. Throws for a damaged
     * body.
     */
    static Digest newestEntryKey(ByteBuffer in) {
        int nStrings = count(in, 4);
        for (int i = 0; i < nStrings; i++) {
            int length = count(in, 1);
            in.position(in.position() + length);
        }
        int n = count(in, Digest.BYTES + 4);
        for (int r = 0; r < n - 1; r++) {
            in.position(in.position() + Digest.BYTES);
            int nHeaders = count(in, 4 + Digest.BYTES + 4);
            for (int h = 0; h < nHeaders; h++) {
                in.position(in.position() + 4 + Digest.BYTES);
                int nc = count(in, 9);
                in.position(in.position() + 9 * nc);
            }
        }
        return n == 0 ? null : new Digest(in.getLong(), in.getLong());
    }

    /** The entry key of the newest result, the one a lookup tries first; null when there is none. */
    public Digest newestEntryKey() {
        return entryKeys.length == 0 ? null : entryKeys[entryKeys.length - 1];
    }

    /** {@code manifest} laid out for checking (tests and benchmarks; the daemon decodes stored bytes). */
    public static PreparedManifest of(Manifest manifest) {
        return decode(manifest.encode());
    }

    /**
     * The decode proper, from the body's array (read by hand, big-endian, as {@link Manifest}
     * writes it: under the daemon's C1 compiler a {@code ByteBuffer} read and a boxed map lookup
     * per candidate were most of a remote hit's decode). A body cut short runs off its array and
     * throws, which {@link #decode} takes for a damaged manifest.
     */
    private PreparedManifest(ByteBuffer in) {
        byte[] raw = in.array(); // a body fills its array (Manifest.body)
        int p = in.position();
        int nStrings = count(raw, p, 4);
        p += 4;
        int[] offset = new int[nStrings];
        int[] length = new int[nStrings];
        for (int i = 0; i < nStrings; i++) {
            length[i] = count(raw, p, 1);
            offset[i] = p + 4;
            p = offset[i] + length[i];
        }
        String[] text = new String[nStrings]; // each table string made at most once
        int n = count(raw, p, Digest.BYTES + 4);
        p += 4;
        entryKeys = new Digest[n];
        resultFiles = new int[n][];
        resultDigests = new Digest[n][];
        resultCandidates = new int[n][];
        resultExisted = new boolean[n][];
        int[] fileOf = new int[nStrings];
        int[] dirOf = new int[nStrings];
        Arrays.fill(fileOf, -1);
        Arrays.fill(dirOf, -1);
        List<String> fileList = new ArrayList<>();
        List<String> dirList = new ArrayList<>();
        // (directory string, name string) → candidate, so that results sharing one check it once;
        // a manifest of one result (every one a remote hit meets first) has nothing to share
        PairIndex candidateOf = n > 1 ? new PairIndex((raw.length - p) / 9) : null;
        int[] cDir = new int[64];
        List<String> cName = new ArrayList<>();
        int[] cs = new int[256];
        boolean[] ex = new boolean[256];
        for (int r = 0; r < n; r++) {
            entryKeys[r] = new Digest(i64(raw, p), i64(raw, p + 8));
            p += Digest.BYTES;
            int nHeaders = count(raw, p, 4 + Digest.BYTES + 4);
            p += 4;
            int[] fs = new int[nHeaders];
            Digest[] ds = new Digest[nHeaders];
            int c = 0;
            for (int h = 0; h < nHeaders; h++) {
                int s = string(raw, p, nStrings);
                if (fileOf[s] < 0) {
                    fileOf[s] = fileList.size();
                    fileList.add(text(raw, offset, length, text, s));
                }
                fs[h] = fileOf[s];
                ds[h] = new Digest(i64(raw, p + 4), i64(raw, p + 12));
                p += 4 + Digest.BYTES;
                int nc = count(raw, p, 9);
                p += 4;
                if (c + nc > cs.length) {
                    cs = Arrays.copyOf(cs, Math.max(2 * cs.length, c + nc));
                    ex = Arrays.copyOf(ex, cs.length);
                }
                for (int k = 0; k < nc; k++, p += 9) {
                    int dir = string(raw, p, nStrings);
                    int name = string(raw, p + 4, nStrings);
                    long pair = (long) dir * nStrings + name; // one number per pair
                    int id = candidateOf == null ? -1 : candidateOf.get(pair);
                    if (id < 0) {
                        id = cName.size();
                        if (dirOf[dir] < 0) {
                            dirOf[dir] = dirList.size();
                            dirList.add(text(raw, offset, length, text, dir));
                        }
                        if (id == cDir.length) {
                            cDir = Arrays.copyOf(cDir, 2 * id);
                        }
                        cDir[id] = dirOf[dir];
                        cName.add(text(raw, offset, length, text, name));
                        if (candidateOf != null) {
                            candidateOf.put(pair, id);
                        }
                    }
                    cs[c] = id;
                    ex[c] = raw[p + 8] != 0;
                    c++;
                }
            }
            resultFiles[r] = fs;
            resultDigests[r] = ds;
            resultCandidates[r] = Arrays.copyOf(cs, c);
            resultExisted[r] = Arrays.copyOf(ex, c);
        }
        files = fileList.toArray(new String[0]);
        dirs = dirList.toArray(new String[0]);
        candidateDir = Arrays.copyOf(cDir, cName.size());
        candidateName = cName.toArray(new String[0]);
    }

    /** Candidate indexes by (directory, name) pair, open addressing over two arrays: no boxing. */
    private static final class PairIndex {
        private long[] keys;
        private int[] values;
        private int mask;
        private int size;

        /** @param most the most pairs there can be: the table starts big enough for them, up to 2,048 */
        PairIndex(int most) {
            int capacity = Integer.highestOneBit(Math.max(16, Math.min(most, 2048) * 2 - 1)) << 1;
            keys = new long[capacity];
            values = new int[capacity];
            mask = capacity - 1;
        }

        /** The index of {@code pair} (not negative), or -1. */
        int get(long pair) {
            for (int i = slot(pair, mask); ; i = (i + 1) & mask) {
                int v = values[i];
                if (v == 0) {
                    return -1;
                }
                if (keys[i] == pair) {
                    return v - 1;
                }
            }
        }

        /** Adds {@code pair}, which {@link #get} did not find. */
        void put(long pair, int index) {
            if (2 * ++size > keys.length) {
                grow();
            }
            place(keys, values, mask, pair, index + 1); // 0 marks a free slot
        }

        private void grow() {
            long[] k = new long[2 * keys.length];
            int[] v = new int[k.length];
            int m = k.length - 1;
            for (int i = 0; i < keys.length; i++) {
                if (values[i] != 0) {
                    place(k, v, m, keys[i], values[i]);
                }
            }
            keys = k;
            values = v;
            mask = m;
        }

        private static void place(long[] keys, int[] values, int mask, long pair, int value) {
            int i = slot(pair, mask);
            while (values[i] != 0) {
                i = (i + 1) & mask;
            }
            keys[i] = pair;
            values[i] = value;
        }

        private static int slot(long pair, int mask) {
            long h = pair * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }

    /** The big-endian int at {@code p}. */
    private static int i32(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    /** The big-endian long at {@code p}. */
    private static long i64(byte[] b, int p) {
        return (long) i32(b, p) << 32 | (i32(b, p + 4) & 0xffffffffL);
    }

    /** The string index at {@code p}, checked against the table's size. */
    private static int string(byte[] b, int p, int nStrings) {
        int s = i32(b, p);
        if (s < 0 || s >= nStrings) {
            throw new IllegalArgumentException("an index names no string of the table");
        }
        return s;
    }

    /** The count at {@code p}, checked against what follows it when each item takes at least {@code bytesEach}. */
    private static int count(byte[] b, int p, int bytesEach) {
        int n = i32(b, p);
        if (n < 0 || n > (b.length - p - 4) / bytesEach) {
            throw new IllegalArgumentException("a count of " + n + " does not fit the manifest");
        }
        return n;
    }

    /** String {@code s} of the table, found or made, interned, on first use ({@link ManifestStrings}). */
    private static String text(byte[] raw, int[] offset, int[] length, String[] text, int s) {
        String t = text[s];
        if (t == null) {
            t = ManifestStrings.of(raw, offset[s], length[s]);
            text[s] = t;
        }
        return t;
    }

    /** A count read from {@code in}, checked against what is left when each item takes at least {@code bytesEach}. */
    private static int count(ByteBuffer in, int bytesEach) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining() / bytesEach) {
            throw new IllegalArgumentException("a count of " + n + " does not fit the manifest");
        }
        return n;
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
