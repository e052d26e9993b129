package cache.hashing;

import java.nio.ByteBuffer;
import net.openhft.hashing.LongHashFunction;
import net.openhft.hashing.LongTupleHashFunction;

/** The project's two hash functions: XXH3-128 for keys and content, XXH3-64 for checksums. */
public final class Hashing {

    private static final LongTupleHashFunction XXH3_128 = LongTupleHashFunction.xx128();
    private static final LongHashFunction XXH3_64 = LongHashFunction.xx3();

    private Hashing() {}

    public static Digest xxh3_128(byte[] data, int offset, int length) {
        long[] r = XXH3_128.hashBytes(data, offset, length);
        return new Digest(r[1], r[0]);
    }

    public static Digest xxh3_128(ByteBuffer data) {
        long[] r = XXH3_128.hashBytes(data);
        return new Digest(r[1], r[0]);
    }

    public static long xxh3_64(byte[] data, int offset, int length) {
        return XXH3_64.hashBytes(data, offset, length);
    }
}
