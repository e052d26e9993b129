package cache.benchmarks;

import cache.hashing.Digest;
import cache.hashing.KeyBuilder;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.LocalStore;
import cache.store.OutputKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process part of a hit: hashing the preprocessed text into a key, reading the entry
 * from RocksDB and verifying/decompressing it. Run: {@code java -jar benchmarks/target/benchmarks.jar HitPath}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HitPathBenchmark {

    /** Size of the preprocessed text (a small C file with system headers is ~60 KB, C++ with STL ~1.5 MB). */
    @Param({"65536", "1572864"})
    int preprocessedBytes;

    private Path dir;
    private LocalStore store;
    private Digest key;
    private byte[] preprocessed;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jmh-store");
        store = LocalStore.open(dir, EntryCodec.defaults());
        Random r = new Random(42);
        preprocessed = new byte[preprocessedBytes];
        for (int i = 0; i < preprocessed.length; i++) {
            preprocessed[i] = (byte) (' ' + r.nextInt(90));
        }
        byte[] object = new byte[8192];
        r.nextBytes(object);
        key = key();
        store.entries().put(key, new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, object)));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Digest key() {
        KeyBuilder k = KeyBuilder.create().add("compiler.name", "gcc").add("compiler.size", 1_000_000L);
        for (String a : new String[] {"-O2", "-g", "-c", "-Wall", "-Wextra", "-fPIC", "-std=c11"}) {
            k.add("arg", a);
        }
        return k.add("cpp", Digest.of(preprocessed)).build();
    }

    @Benchmark
    public Digest computeKey() {
        return key();
    }

    @Benchmark
    public CacheEntry lookupAndDecode() throws Exception {
        return store.entries().get(key);
    }
}
