package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.compat.config.ConfigException;
import cache.compat.config.RemoteStorageUrl;
import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.OutputKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RemoteStorageTest {

    /** A server over a map; {@code failing} makes every call throw, a timeout when {@code timingOut}. */
    static final class FakeBackend implements RemoteBackend {
        final Map<String, byte[]> values = new ConcurrentHashMap<>();
        final AtomicLong calls = new AtomicLong();
        volatile boolean failing;
        volatile boolean timingOut;

        @Override
        public byte[] get(String key) throws BackendException {
            check();
            return values.get(key);
        }

        @Override
        public boolean put(String key, byte[] value, boolean onlyIfMissing) throws BackendException {
            check();
            return onlyIfMissing ? values.putIfAbsent(key, value) == null : values.put(key, value) != value;
        }

        private void check() throws BackendException {
            calls.incrementAndGet();
            if (failing || timingOut) {
                throw new BackendException("down", timingOut);
            }
        }

        @Override
        public void close() {}
    }

    final AtomicLong now = new AtomicLong();
    final Map<URI, FakeBackend> servers = new ConcurrentHashMap<>();

    RemoteStorage storage(String entry) throws ConfigException {
        return new RemoteStorage(RemoteStorageUrl.parse(entry), EntryCodec.defaults(),
                u -> servers.computeIfAbsent(u, x -> new FakeBackend()), now::get, Duration.ofSeconds(60));
    }

    static CacheEntry entry(String object) {
        return new CacheEntry(0, new byte[0], "warning\n".getBytes(StandardCharsets.UTF_8),
                Map.of(OutputKind.OBJECT, object.getBytes(StandardCharsets.UTF_8)));
    }

    static Digest key(int i) {
        return new Digest(i * 0x9E3779B97F4A7C15L, ~i);
    }

    /** The daemon's warm-up: every shard asked once per connection, nothing written, a failure neither kept nor counted. */
    @Test
    void aWarmUpReadsEachShardAndAFailureThereBacksNothingOff() throws ConfigException {
        RemoteStorage s = storage("redis://h*|shards=a,b");
        assertEquals(2, s.warm(2), "both shards answered");
        assertEquals(2, servers.size());
        for (FakeBackend b : servers.values()) {
            assertEquals(2, b.calls.get(), "one read per connection made ahead");
            assertTrue(b.values.isEmpty(), "nothing written");
        }
        servers.values().forEach(b -> b.failing = true);
        assertEquals(0, s.warm(1));
        servers.values().forEach(b -> b.failing = false);
        assertEquals(RemoteStorage.Status.MISS, s.get(key(1)).status(),
                "asked at once: the warm-up's failure backed no server off");
    }

    @Test
    void anEntryWrittenIsReadBackIntact() throws ConfigException {
        RemoteStorage s = storage("redis://h");
        assertEquals(RemoteStorage.Status.MISS, s.get(key(1)).status());
        assertEquals(RemoteStorage.Status.WRITTEN, s.put(key(1), entry("OBJ"), false));
        RemoteStorage.Read r = s.get(key(1));
        assertEquals(RemoteStorage.Status.HIT, r.status());
        assertArrayEquals("OBJ".getBytes(StandardCharsets.UTF_8), r.entry().outputs().get(OutputKind.OBJECT));
        assertArrayEquals("warning\n".getBytes(StandardCharsets.UTF_8), r.entry().stderr());
    }

    @Test
    void poisonedValuesAreMissesNeverEntries() throws ConfigException {
        RemoteStorage s = storage("redis://h");
        s.put(key(1), entry("OBJ"), false);
        FakeBackend server = servers.get(URI.create("redis://h"));
        byte[] good = server.values.get(key(1).hex());
        byte[] flipped = good.clone();
        flipped[flipped.length - 3] ^= 1;
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        for (byte[] bad : List.of(flipped, Arrays.copyOf(good, good.length - 1), longer, Arrays.copyOf(good, 5),
                badVersion, new byte[0], "ccache entry".getBytes(StandardCharsets.UTF_8))) {
            server.values.put(key(1).hex(), bad);
            assertEquals(RemoteStorage.Status.POISONED, s.get(key(1)).status());
        }
    }

    /**
     * An entry's frame is not hashed on a read (the entry's own checksum covers the body); a
     * manifest's bytes are covered by its bundle's CRC32C, so a flipped bit in one is still caught.
     */
    @Test
    void aManifestWithAFlippedBitIsPoisoned() throws ConfigException {
        RemoteStorage s = storage("redis://h");
        byte[] manifest = "a manifest's bytes".getBytes(StandardCharsets.UTF_8);
        assertEquals(RemoteStorage.Status.WRITTEN, s.putManifest(key(1), manifest, null, null, null));
        assertArrayEquals(manifest, s.getManifest(key(1)).manifest());
        FakeBackend server = servers.get(URI.create("redis://h"));
        String name = server.values.keySet().iterator().next();
        byte[] good = server.values.get(name);
        for (int i = 0; i < good.length * 8; i++) {
            byte[] flipped = good.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            server.values.put(name, flipped);
            assertEquals(RemoteStorage.Status.POISONED, s.getManifest(key(1)).status(), "bit " + i);
        }
        for (int n = 0; n < good.length; n++) {
            server.values.put(name, Arrays.copyOf(good, n));
            assertEquals(RemoteStorage.Status.POISONED, s.getManifest(key(1)).status(), n + " bytes");
        }
        server.values.put(name, Arrays.copyOf(good, good.length + 1));
        assertEquals(RemoteStorage.Status.POISONED, s.getManifest(key(1)).status(), "a byte after a lone manifest");
    }

    @Test
    void manifestsLiveBesideEntriesUnderHexNamesOfTheirOwn() throws ConfigException {
        RemoteStorage s = storage("redis://h");
        s.put(key(1), entry("OBJ"), false);
        assertEquals(RemoteStorage.Status.MISS, s.getManifest(key(1)).status(), "an entry is not a manifest");
        assertEquals(RemoteStorage.Status.WRITTEN, s.putManifest(key(1), new byte[] {7, 8}, null, null, null));
        assertArrayEquals(new byte[] {7, 8}, s.getManifest(key(1)).manifest());
        assertEquals(RemoteStorage.Status.HIT, s.get(key(1)).status(), "nor overwrote the entry");
        assertTrue(RemoteStorage.manifestName(key(1)).matches("[0-9a-f]{32}"), "hex, as Bazel's layout needs");
    }

    /**
     * The manifest carries its result's entry (one read for a remote hit), the same bytes as the
     * entry stored under its own key, encoded once for both; a damaged one is refused by its own
     * checksum, not taken.
     */
    @Test
    void aManifestCarriesTheEntryOfItsResultBesideIt() throws Exception {
        RemoteStorage s = storage("redis://h");
        CacheEntry e = entry("OBJECT CODE");
        assertEquals(RemoteStorage.Status.WRITTEN, s.put(key(2), e, false));
        assertEquals(RemoteStorage.Status.WRITTEN, s.putManifest(key(1), new byte[] {7, 8}, key(2), e, null));
        RemoteStorage.ManifestRead m = s.getManifest(key(1));
        assertEquals(RemoteStorage.Status.HIT, m.status());
        assertArrayEquals(new byte[] {7, 8}, m.manifest());
        assertEquals(key(2), m.entryKey());
        assertArrayEquals(s.get(key(2)).encoded(), m.entry(), "the bytes stored under the entry's own key");
        RemoteStorage.Read inlined = s.decodeInlined(m.entry());
        assertArrayEquals("OBJECT CODE".getBytes(StandardCharsets.UTF_8), inlined.entry().outputs().get(OutputKind.OBJECT));
        assertArrayEquals("warning\n".getBytes(StandardCharsets.UTF_8), inlined.entry().stderr());

        byte[] damaged = m.entry().clone();
        damaged[damaged.length / 2] ^= 1;
        org.junit.jupiter.api.Assertions.assertThrows(cache.store.CorruptEntryException.class,
                () -> s.decodeInlined(damaged));
    }

    /** A hit's bytes are put beside the manifest as they are; an entry too large for it is not. */
    @Test
    void anEntryLargerThanTheInlineLimitIsNotPutBesideItsManifest() throws ConfigException {
        RemoteStorage s = storage("redis://h");
        byte[] noise = new byte[RemoteStorage.INLINE_LIMIT + 1024];
        new java.util.Random(7).nextBytes(noise); // zstd cannot make it smaller
        CacheEntry big = new CacheEntry(0, new byte[0], new byte[0], Map.of(OutputKind.OBJECT, noise));
        assertEquals(RemoteStorage.Status.WRITTEN, s.putManifest(key(1), new byte[] {1}, key(2), big, null));
        RemoteStorage.ManifestRead m = s.getManifest(key(1));
        assertArrayEquals(new byte[] {1}, m.manifest());
        assertNull(m.entryKey());
        assertNull(m.entry());

        byte[] asRead = EntryCodec.defaults().encode(entry("read so"));
        assertEquals(RemoteStorage.Status.WRITTEN, s.putManifest(key(3), new byte[] {2}, key(4), entry("x"), asRead));
        assertArrayEquals(asRead, s.getManifest(key(3)).entry(), "the hit's bytes, not the entry encoded again");
    }

    @Test
    void aFailedServerCostsOneFailureThenIsBackedOffForAMinute() throws ConfigException {
        RemoteStorage s = storage("http://h/c");
        s.get(key(1));
        FakeBackend server = servers.get(URI.create("http://h/c"));
        server.timingOut = true;
        assertEquals(RemoteStorage.Status.TIMEOUT, s.get(key(1)).status());
        long calls = server.calls.get();
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertEquals(RemoteStorage.Status.SKIPPED, s.get(key(2)).status());
        assertEquals(RemoteStorage.Status.SKIPPED, s.put(key(2), entry("x"), false));
        assertEquals(calls, server.calls.get(), "not asked while backed off");
        server.timingOut = false;
        server.failing = true;
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(RemoteStorage.Status.ERROR, s.put(key(2), entry("x"), false));
        server.failing = false;
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        assertEquals(RemoteStorage.Status.WRITTEN, s.put(key(2), entry("x"), false));
        assertEquals(RemoteStorage.Status.HIT, s.get(key(2)).status());
    }

    @Test
    void readOnlyStorageIsNeverWritten() throws ConfigException {
        RemoteStorage s = storage("redis://h|read-only");
        assertEquals(RemoteStorage.Status.SKIPPED, s.put(key(1), entry("x"), false));
        assertEquals(RemoteStorage.Status.SKIPPED, s.putManifest(key(2), new byte[] {1}, key(1), entry("x"), null));
        assertTrue(servers.isEmpty() || servers.values().stream().allMatch(b -> b.values.isEmpty()));
    }

    @Test
    void onlyIfMissingLeavesAnExistingValueAlone() throws ConfigException {
        RemoteStorage s = storage("file:/x");
        s.put(key(1), entry("first"), false);
        s.put(key(1), entry("second"), true);
        assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), s.get(key(1)).entry().outputs().get(OutputKind.OBJECT));
    }

    @Test
    void shardsGetKeysInProportionToTheirWeightsAndOnlyAFailedShardIsBackedOff() throws ConfigException {
        RemoteStorage s = storage("redis://cache-*.example.com|shards=a(3),b(1),c(1.5)");
        Map<String, Integer> count = new HashMap<>();
        int n = 11_000;
        for (int i = 0; i < n; i++) {
            count.merge(RemoteStorage.shard(key(i), s.shardsForTest()), 1, Integer::sum);
        }
        // 3/5.5, 1/5.5, 1.5/5.5 of the keys, within a generous margin (no luck needed at n = 11000)
        assertEquals(6000, count.get("a"), 400);
        assertEquals(2000, count.get("b"), 300);
        assertEquals(3000, count.get("c"), 300);
        for (int i = 0; i < 50; i++) {
            assertEquals(RemoteStorage.Status.WRITTEN, s.put(key(i), entry("o" + i), false));
        }
        servers.get(URI.create("redis://cache-b.example.com")).failing = true;
        int skipped = 0;
        int errors = 0;
        for (int i = 0; i < 50; i++) {
            RemoteStorage.Status st = s.get(key(i)).status();
            String shard = RemoteStorage.shard(key(i), s.shardsForTest());
            if (shard.equals("b")) {
                if (st == RemoteStorage.Status.ERROR) {
                    errors++;
                } else {
                    assertEquals(RemoteStorage.Status.SKIPPED, st);
                    skipped++;
                }
            } else {
                assertEquals(RemoteStorage.Status.HIT, st, "shard " + shard);
            }
        }
        assertEquals(1, errors);
        assertTrue(skipped > 0);
    }

    @Test
    void theShardOfAKeyIsStableAndNamesTheServer() throws ConfigException {
        RemoteStorage s = storage("http://example.com/*|shards=alpha,beta");
        s.put(key(7), entry("x"), false);
        String shard = RemoteStorage.shard(key(7), s.shardsForTest());
        assertNull(servers.get(URI.create("http://example.com/" + (shard.equals("alpha") ? "beta" : "alpha"))));
        assertEquals(1, servers.get(URI.create("http://example.com/" + shard)).values.size());
    }
}
