package cache.benchmarks;

import cache.frontend.key.DirectMode;
import cache.frontend.key.DirectoryListings;
import cache.frontend.key.Manifest;
import cache.frontend.key.PreparedManifest;
import cache.frontend.key.SearchPath;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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
 * The daemon's direct-mode lookup on a real manifest: the one {@code compare-ccache.sh}'s heavy
 * C++ file ({@code iostream vector map string regex}) gets. At setup, {@code g++ -O2 -E} gives
 * the preprocessed text and {@code g++ -O2 -E -v -x c++ /dev/null} the search path; the result
 * is recorded with {@link DirectMode#record} as the daemon does after a miss. {@code results}
 * adds that many newer results that do not hold (one header digest differs), so a lookup first
 * rejects them, as after edits.
 *
 * <ul>
 *   <li>{@code match}: {@link DirectMode#match(PreparedManifest, Path)} with warm file-hash and
 *       directory-listing caches, i.e. a stat per header and per candidate directory, all
 *       headers unchanged: the per-hit cost inside the daemon;
 *   <li>{@code decodeAndPrepare}: {@link PreparedManifest#decode}, the stored bytes straight into
 *       the lookup layout, paid once per stored manifest version (and per remote hit).
 * </ul>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ManifestLookup}. Needs g++.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ManifestLookupBenchmark {

    private static final String SOURCE = """
            #include <iostream>
            #include <vector>
            #include <map>
            #include <string>
            #include <regex>

            std::map<std::string, int> count_words(const std::string &text)
            {
            	std::map<std::string, int> counts;
            	std::regex word("[A-Za-z]+");
            	for (auto it = std::sregex_iterator(text.begin(), text.end(), word);
            	     it != std::sregex_iterator(); ++it)
            		counts[it->str()]++;
            	return counts;
            }

            int main()
            {
            	for (const auto &[w, n] : count_words("the quick brown fox"))
            		std::cout << w << ' ' << n << '\\n';
            	return 0;
            }
            """;

    /** Results in the manifest that do not hold, newer than the one that does. */
    @Param({"0", "4"})
    int staleResults;

    private Path dir;
    private DirectMode directMode;
    private PreparedManifest prepared;
    private byte[] encoded;
    private Digest expected;
    /** Headers and candidates in the matching result, for the report. */
    public int headers;
    public int candidates;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("jmh-manifest");
        Files.writeString(dir.resolve("heavy.cpp"), SOURCE);
        byte[] preprocessed = run(List.of("g++", "-O2", "-E", "heavy.cpp"), false);
        SearchPath search = SearchPath.parse(run(List.of("g++", "-O2", "-E", "-v", "-x", "c++", "/dev/null"), true));

        directMode = new DirectMode(new FileHashCache(100_000), new DirectoryListings());
        expected = Digest.of(preprocessed);
        // Long.MAX_VALUE: the freshly written heavy.cpp is not "too new" to remember here.
        Manifest.Result good = directMode.record(expected, preprocessed, search, dir, Long.MAX_VALUE, false);
        if (good == null) {
            throw new IllegalStateException("DirectMode.record refused the heavy C++ file");
        }
        headers = good.headers().size();
        candidates = good.headers().stream().mapToInt(h -> h.candidates().size()).sum();
        Manifest m = Manifest.EMPTY.with(good, 100);
        for (int i = 0; i < staleResults; i++) {
            List<Manifest.Header> hs = new ArrayList<>(good.headers());
            int victim = hs.size() - 1 - i * (hs.size() / (staleResults + 1));
            Manifest.Header h = hs.get(victim);
            hs.set(victim, new Manifest.Header(h.path(), Digest.of(new byte[] {(byte) i}), h.candidates()));
            m = m.with(new Manifest.Result(Digest.of(new byte[] {1, (byte) i}), List.copyOf(hs)), 100);
        }
        encoded = m.encode();
        prepared = PreparedManifest.decode(encoded);
        if (!expected.equals(directMode.match(prepared, dir))) {
            throw new IllegalStateException("the recorded result does not match");
        }
        System.out.printf("%n[manifest: %d results, %d headers, %d candidates in the good one, %d bytes encoded]%n",
                m.results().size(), headers, candidates, encoded.length);
    }

    private byte[] run(List<String> cmd, boolean stderr) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Path out = dir.resolve("out.txt");
        if (stderr) {
            pb.redirectError(out.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + Files.readString(out, StandardCharsets.UTF_8));
        }
        byte[] bytes = Files.readAllBytes(out);
        Files.delete(out);
        return bytes;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Digest match() {
        return directMode.match(prepared, dir);
    }

    @Benchmark
    public PreparedManifest decodeAndPrepare() {
        return PreparedManifest.decode(encoded);
    }
}
