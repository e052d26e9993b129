package cache.frontend.key;

import cache.hashing.Digest;
import com.github.luben.zstd.Zstd;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What direct mode remembers under a direct key: earlier results, each with the files the
 * preprocessor read (path, content digest) and the shadowing candidates of each file — paths
 * in earlier search directories, with whether each existed when the result was recorded. A
 * result matches when every file still has its digest and every candidate its existence.
 *
 * <p>Encoding (version 2): u8 version, u32 body length, the zstd-compressed body: a string
 * table, then the results. A header names its path by string index; a candidate names its
 * directory and its file name by two indexes (a real project's tens of thousands of candidates
 * are a few dozen directories times a few hundred names, so the table stays small and a reader
 * builds no string per candidate). Anything undecodable, a version 1 manifest included, is an
 * empty manifest: a preprocessor run records the result again.
 */
public record Manifest(List<Result> results) {

    /** One earlier result. */
    public record Result(Digest entryKey, List<Header> headers) {}

    /** A file the preprocessor read. */
    public record Header(String path, Digest digest, List<Candidate> candidates) {}

    /** A path that would have shadowed {@link Header#path()} had it existed (or did exist and was skipped). */
    public record Candidate(String path, boolean existed) {}

    static final int VERSION = 2;

    public static final Manifest EMPTY = new Manifest(List.of());

    /**
     * A manifest with {@code r} added as newest, replacing a result recorded under the same
     * file states, at most {@code max} kept. A result for the same entry under other file
     * states is kept: when the files return to those states (a shadowing header removed
     * again), it still answers directly.
     */
    public Manifest with(Result r, int max) {
        List<Result> next = new ArrayList<>(results.size() + 1);
        for (Result old : results) {
            if (!old.headers().equals(r.headers())) {
                next.add(old);
            }
        }
        next.add(r);
        while (next.size() > max) {
            next.remove(0);
        }
        return new Manifest(List.copyOf(next));
    }

    public byte[] encode() {
        Map<String, Integer> ids = new HashMap<>();
        List<String> strings = new ArrayList<>();
        ByteBuffer body = ByteBuffer.allocate(1 << 16);
        body = putInt(body, results.size());
        for (Result r : results) {
            body = ensure(body, 20);
            body.put(r.entryKey().toBytes());
            body.putInt(r.headers().size());
            for (Header h : r.headers()) {
                body = ensure(body, 32);
                body.putInt(id(h.path(), ids, strings));
                body.put(h.digest().toBytes());
                body.putInt(h.candidates().size());
                for (Candidate c : h.candidates()) {
                    body = ensure(body, 9);
                    String path = c.path();
                    int slash = path.lastIndexOf('/');
                    body.putInt(id(slash < 0 ? "" : slash == 0 ? "/" : path.substring(0, slash), ids, strings));
                    body.putInt(id(path.substring(slash + 1), ids, strings));
                    body.put((byte) (c.existed() ? 1 : 0));
                }
            }
        }
        ByteBuffer table = ByteBuffer.allocate(4 + strings.stream().mapToInt(s -> 4 + s.getBytes(StandardCharsets.UTF_8).length).sum());
        table.putInt(strings.size());
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            table.putInt(b.length).put(b);
        }
        byte[] raw = new byte[table.position() + body.position()];
        System.arraycopy(table.array(), 0, raw, 0, table.position());
        System.arraycopy(body.array(), 0, raw, table.position(), body.position());
        byte[] packed = Zstd.compress(raw, 1);
        return ByteBuffer.allocate(5 + packed.length).put((byte) VERSION).putInt(raw.length).put(packed).array();
    }

    public static Manifest decode(byte[] bytes) {
        ByteBuffer body = body(bytes);
        if (body == null) {
            return EMPTY;
        }
        try {
            return parse(body);
        } catch (RuntimeException e) {
            return EMPTY; // a damaged manifest only costs a preprocessor run
        }
    }

    /** The uncompressed body of an encoded manifest (string table, then results), or null when it is not one. */
    static ByteBuffer body(byte[] bytes) {
        if (bytes == null || bytes.length < 5 || bytes[0] != VERSION) {
            return null;
        }
        try {
            int rawLength = ByteBuffer.wrap(bytes, 1, 4).getInt();
            if (rawLength < 0 || rawLength > (256 << 20)) {
                return null;
            }
            byte[] raw = new byte[rawLength];
            long n = Zstd.decompressByteArray(raw, 0, rawLength, bytes, 5, bytes.length - 5);
            return n == rawLength ? ByteBuffer.wrap(raw) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Manifest parse(ByteBuffer in) {
        String[] strings = new String[in.getInt()];
        for (int i = 0; i < strings.length; i++) {
            byte[] b = new byte[in.getInt()];
            in.get(b);
            strings[i] = new String(b, StandardCharsets.UTF_8);
        }
        int nResults = in.getInt();
        List<Result> results = new ArrayList<>(nResults);
        byte[] d = new byte[Digest.BYTES];
        for (int r = 0; r < nResults; r++) {
            in.get(d);
            Digest entry = Digest.fromBytes(d);
            int nHeaders = in.getInt();
            List<Header> headers = new ArrayList<>(nHeaders);
            for (int h = 0; h < nHeaders; h++) {
                String path = strings[in.getInt()];
                in.get(d);
                Digest digest = Digest.fromBytes(d);
                int nc = in.getInt();
                List<Candidate> cands = new ArrayList<>(nc);
                for (int c = 0; c < nc; c++) {
                    String dir = strings[in.getInt()];
                    String name = strings[in.getInt()];
                    cands.add(new Candidate(join(dir, name), in.get() != 0));
                }
                headers.add(new Header(path, digest, List.copyOf(cands)));
            }
            results.add(new Result(entry, List.copyOf(headers)));
        }
        return new Manifest(List.copyOf(results));
    }

    /** A candidate's path from the directory and name it was stored as (the inverse of the split in {@link #encode}). */
    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private static int id(String s, Map<String, Integer> ids, List<String> strings) {
        return ids.computeIfAbsent(s, k -> {
            strings.add(k);
            return strings.size() - 1;
        });
    }

    private static ByteBuffer putInt(ByteBuffer b, int v) {
        b = ensure(b, 4);
        return b.putInt(v);
    }

    private static ByteBuffer ensure(ByteBuffer b, int extra) {
        if (b.remaining() >= extra) {
            return b;
        }
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + extra));
        b.flip();
        return bigger.put(b);
    }
}
