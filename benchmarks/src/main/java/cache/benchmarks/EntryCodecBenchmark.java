package cache.benchmarks;

import cache.hashing.Hashing;
import cache.store.CacheEntry;
import cache.store.CorruptEntryException;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link EntryCodec} on an entry the size of lua's {@code lapi.o} with {@code -O2 -g} (151,584
 * bytes; every local and remote hit decodes one), and its parts on their own, to say where a
 * decode's time goes:
 *
 * <ul>
 *   <li>{@code decode}: the whole read of an entry as written now (format 2): CRC32C of the
 *       stored bytes, zstd into the payload (checking the frame's checksum), the payload parsed
 *       into the entry's arrays;
 *   <li>{@code decodeFormatOne}: the same entry as format 1 wrote it (XXH3 of the stored bytes,
 *       zstd without a frame checksum): every entry stored before session 17;
 *   <li>{@code checksum}: XXH3-64 of the stored bytes alone (format 1's check);
 *   <li>{@code crc32c}: CRC32C of the stored bytes alone (format 2's check);
 *   <li>{@code decompress}: zstd of the body alone;
 *   <li>{@code copy}: one copy of the object's bytes (what parsing the payload adds);
 *   <li>{@code encode}: the whole write.
 * </ul>
 * The object is the first {@code size} bytes of {@code /usr/bin/gcc} (machine code and tables,
 * compressing about as an object file does). The daemon runs C1 only ({@code
 * -XX:TieredStopAtLevel=1}): run it both ways, e.g. {@code java -jar benchmarks/target/benchmarks.jar
 * EntryCodec} and the same with {@code -jvmArgsAppend -XX:TieredStopAtLevel=1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EntryCodecBenchmark {

    @Param("151584")
    int size;

    private final EntryCodec codec = EntryCodec.defaults();
    private CacheEntry entry;
    private byte[] stored;
    private byte[] storedFormatOne;
    private byte[] object;

    @Setup
    public void setUp() throws IOException, CorruptEntryException {
        byte[] gcc = Files.readAllBytes(Path.of("/usr/bin/gcc").toRealPath());
        object = Arrays.copyOf(gcc, size);
        entry = new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, object));
        stored = codec.encode(entry);
        // format 1 by hand (the codec writes format 2 only): header, zstd body, XXH3-64 trailer
        byte[] plain = new EntryCodec(false, 0).encode(entry);
        byte[] payload = Arrays.copyOfRange(plain, 12, plain.length - 4);
        byte[] body = Zstd.compress(payload, 1);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + body.length + 8);
        b.putInt(0x43454e54).put((byte) 1).put((byte) 1).putShort((short) 0).putInt(payload.length).put(body);
        b.putLong(Hashing.xxh3_64(b.array(), 0, b.position()));
        storedFormatOne = b.array();
        if (!codec.decode(storedFormatOne).equals(entry) || stored[4] != 2) {
            throw new IllegalStateException("format 1 by hand does not decode to the entry");
        }
    }

    @Benchmark
    public CacheEntry decodeFormatOne() throws CorruptEntryException {
        return codec.decode(storedFormatOne);
    }

    @Benchmark
    public long crc32c() {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(stored, 0, stored.length - 4);
        return c.getValue();
    }

    @Benchmark
    public CacheEntry decode() throws CorruptEntryException {
        return codec.decode(stored);
    }

    @Benchmark
    public long checksum() {
        return Hashing.xxh3_64(storedFormatOne, 0, storedFormatOne.length - 8);
    }

    @Benchmark
    public byte[] decompress() {
        byte[] out = new byte[size + 64];
        Zstd.decompressByteArray(out, 0, out.length, storedFormatOne, 12, storedFormatOne.length - 20);
        return out;
    }

    @Benchmark
    public byte[] copy() {
        return object.clone();
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(entry);
    }
}
