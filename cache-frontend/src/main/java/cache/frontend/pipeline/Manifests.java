package cache.frontend.pipeline;

import cache.compat.Counter;
import cache.frontend.args.Invocation;
import cache.frontend.key.DirectMode;
import cache.frontend.key.IncludeScanner;
import cache.frontend.key.Manifest;
import cache.frontend.key.PreparedManifest;
import cache.frontend.key.SearchPath;
import cache.frontend.key.SearchPathProbe;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.store.BlobStore;
import com.github.benmanes.caffeine.cache.Cache;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Direct mode's manifests in one cache directory: the lookup of a direct key to the entry key
 * whose recorded headers still match, and the recording of a new result after a miss (from the
 * preprocessed text, or from depend mode's dependency file). A result is recorded only when
 * the source and every header are older than the call's start (see {@link Call#TOO_NEW_NANOS}).
 */
final class Manifests {

    /** Results kept per manifest; older ones are dropped. */
    static final int MANIFEST_RESULTS = 32;

    private static final PreparedManifest EMPTY_MANIFEST = PreparedManifest.EMPTY;

    /**
     * A manifest decoded once, with the bytes it came from: a hit skips decompressing and parsing.
     * {@code source} and {@code changes}: the store those bytes were read from and its {@link
     * BlobStore#changes()} before the read; while that store still says the same, nothing in it
     * changed and a hit skips the read too ({@code source} null: not known to match any store).
     */
    record Decoded(byte[] raw, PreparedManifest manifest, BlobStore source, long changes) {

        Decoded(byte[] raw, PreparedManifest manifest) {
            this(raw, manifest, null, BlobStore.UNTRACKED);
        }

        /** Whether {@code store} still holds these very bytes, known without reading them. */
        boolean current(BlobStore store) {
            return source == store && changes != BlobStore.UNTRACKED && changes == store.changes();
        }
    }

    private final BlobStore store;
    private final Cache<Digest, Decoded> decoded;
    private final DirectMode directMode;
    private final FileHashCache fileHashes;
    private final SearchPathProbe searchPaths;

    Manifests(BlobStore store, Cache<Digest, Decoded> decoded, DirectMode directMode, FileHashCache fileHashes,
            SearchPathProbe searchPaths) {
        this.store = store;
        this.decoded = decoded;
        this.directMode = directMode;
        this.fileHashes = fileHashes;
        this.searchPaths = searchPaths;
    }

    /** The entry key the manifest under {@code directKey} gives for the files as they are now, or null. */
    Digest match(Call call, Digest directKey) {
        PreparedManifest m = manifest(directKey);
        // A manifest read is a storage read, as ccache counts it (local_storage_read_hit/miss).
        call.stats.count(m == EMPTY_MANIFEST ? Counter.LOCAL_STORAGE_READ_MISS : Counter.LOCAL_STORAGE_READ_HIT);
        return directMode.match(m, call.cwd(), call.config().sloppiness(), call.stats.startNanos());
    }

    /** This directory's manifest under {@code directKey} as stored, or null. */
    byte[] raw(Digest directKey) {
        return store.get(directKey);
    }

    /**
     * The local manifest {@code local} with the results of {@code remote} it lacks added as newer
     * ({@link #MANIFEST_RESULTS} kept): each result stands on its own file states, so the union
     * answers whatever either did. {@code local} itself when it has them all.
     */
    static byte[] merged(byte[] local, byte[] remote) {
        Manifest mine = Manifest.decode(local);
        Manifest merged = mine;
        for (Manifest.Result r : Manifest.decode(remote).results()) {
            if (!merged.results().contains(r)) {
                merged = merged.with(r, MANIFEST_RESULTS);
            }
        }
        return merged == mine ? local : merged.encode();
    }

    /**
     * {@code raw}, a manifest found in remote storage, decoded; {@code newest} hears its newest
     * result's entry key as soon as that is known, before the decode (see {@link
     * PreparedManifest#decode(byte[], Consumer)}). It is kept in this directory's store (merged
     * into the manifest there, if any: {@link #merged}), written after the reply if the call is
     * answered ({@link Call#writeLater}; {@code lateCounts} hears of the write), except under
     * {@code remote_only}: then the call remembers it, to record its result into. {@code before}: what {@link #decodedBefore} gave for {@code raw}.
     */
    PreparedManifest found(Call call, Digest directKey, byte[] raw, PreparedManifest before,
            Consumer<Counter> lateCounts, Consumer<Digest> newest) {
        PreparedManifest m = decodedAgain(directKey, raw, before, newest);
        call.stats.mark("manifest-decoded");
        if (call.config().remoteOnly()) {
            call.remoteManifest = raw;
        } else {
            String namespace = call.config().namespace();
            call.writeLater(() -> {
                boolean[] wrote = new boolean[1];
                store.update(directKey, old -> {
                    byte[] merged = old == null ? raw : merged(old, raw);
                    wrote[0] = merged != old;
                    return merged;
                }, namespace);
                if (wrote[0]) {
                    lateCounts.accept(Counter.LOCAL_STORAGE_WRITE); // a back-fill, counted as ccache counts it
                }
            });
        }
        return m;
    }

    /**
     * {@code raw} decoded, or {@code before}, the manifest this daemon decoded last under {@code
     * directKey} from the very same bytes (from any directory's store, or from remote storage): a
     * CI job's daemon that fetched it for an earlier job's cache directory does not decode it
     * again, nor match it again from the same working directory while the files it names are
     * unchanged ({@link DirectMode#match} remembers its answer), as a local lookup does. {@code
     * newest} hears the newest result's entry key either way.
     */
    private PreparedManifest decodedAgain(Digest directKey, byte[] raw, PreparedManifest before,
            Consumer<Digest> newest) {
        if (before == null) {
            PreparedManifest m = PreparedManifest.decode(raw, newest);
            decoded.put(directKey, new Decoded(raw, m)); // the next local lookup of this key decodes nothing
            return m;
        }
        Digest key = before.newestEntryKey();
        if (newest != null && key != null) {
            newest.accept(key);
        }
        return before;
    }

    /**
     * The manifest this daemon decoded last under {@code directKey} when it came from the very
     * same bytes as {@code raw} (what {@link #found} takes instead of decoding them), else null.
     */
    PreparedManifest decodedBefore(Digest directKey, byte[] raw) {
        Decoded known = decoded.getIfPresent(directKey);
        return known != null && Arrays.equals(known.raw(), raw) ? known.manifest() : null;
    }

    /**
     * Whether {@link #match(Call, PreparedManifest)} of {@code m} will give a remembered answer,
     * looking at no file (see {@link DirectMode#remembered}).
     */
    boolean matchRemembered(Call call, PreparedManifest m) {
        return directMode.remembered(m, call.cwd(), call.config().sloppiness(), call.stats.startNanos());
    }

    /** The entry key that {@code m} (see {@link #found}) gives for the files as they are now, or null. */
    Digest match(Call call, PreparedManifest m) {
        return directMode.match(m, call.cwd(), call.config().sloppiness(), call.stats.startNanos());
    }

    /** The manifest stored under {@code directKey}, decoded and prepared once per stored version. */
    private PreparedManifest manifest(Digest directKey) {
        Decoded known = decoded.getIfPresent(directKey);
        if (known != null && known.current(store)) {
            store.used(directKey); // a read skipped is still a use, for eviction
            return known.manifest();
        }
        long changes = store.changes(); // before the read: a write after it shows as another number
        byte[] raw = store.get(directKey);
        if (raw == null) {
            return EMPTY_MANIFEST;
        }
        if (known != null && Arrays.equals(known.raw(), raw)) {
            if (changes != BlobStore.UNTRACKED) {
                decoded.put(directKey, new Decoded(known.raw(), known.manifest(), store, changes));
            }
            return known.manifest();
        }
        PreparedManifest m = PreparedManifest.decode(raw);
        decoded.put(directKey, new Decoded(raw, m, store, changes));
        return m;
    }

    /**
     * Adds a preprocessor-mode result ({@code entryKey}, from the text {@code preprocessed}) under
     * {@code directKey}; the manifest as now recorded, or null when nothing was.
     */
    byte[] recordPreprocessed(Call call, Digest directKey, Digest entryKey, byte[] preprocessed)
            throws IOException, InterruptedException {
        if (call.inv.language().isPreprocessed()) {
            // Nothing is included: the direct key's source contents are the whole input (as ccache's .i/.s).
            return !call.sourceRecordable(call.hashSource(fileHashes)) ? null
                    : add(call, directKey, new Manifest.Result(entryKey, List.of()));
        }
        SearchPath search = searchPathIfSourceOld(call);
        if (search == null) {
            return null;
        }
        Invocation inv = call.inv;
        Manifest.Result result = directMode.record(entryKey,
                DirectMode.withoutIgnored(IncludeScanner.scan(preprocessed), call.config().ignoreHeadersInManifest(),
                        call.cwd()),
                search, call.cwd(), call.recordableBefore(), DirectMode.commandLineIncludes(inv.preprocessorArgs()),
                call.config().sloppiness());
        return add(call, directKey, result);
    }

    /**
     * Adds a depend-mode result ({@code entryKey}, whose compile listed {@code headers}) under
     * {@code directKey}; the manifest as now recorded, or null when nothing was.
     */
    byte[] recordDependencies(Call call, Digest directKey, Digest entryKey, List<String> headers)
            throws IOException, InterruptedException {
        SearchPath search = searchPathIfSourceOld(call);
        if (search == null) {
            return null;
        }
        Invocation inv = call.inv;
        Manifest.Result result = directMode.recordFromDependencies(entryKey, inv.source(), headers, search,
                call.cwd(), call.recordableBefore(), DirectMode.commandLineIncludes(inv.preprocessorArgs()),
                call.config().ignoreHeadersInManifest(), call.config().sloppiness());
        return add(call, directKey, result);
    }

    /** The compiler's search path for this call, or null when the source may not be remembered ({@link Call#sourceRecordable}). */
    private SearchPath searchPathIfSourceOld(Call call) throws IOException, InterruptedException {
        if (!call.sourceRecordable(call.hashSource(fileHashes))) {
            return null;
        }
        Invocation inv = call.inv;
        return searchPaths.searchPath(call.keys.compiler(), inv.language().gccName(), inv.preprocessorArgs(),
                inv.source(), call.cwd(), call.req.env());
    }

    private byte[] add(Call call, Digest directKey, Manifest.Result result) {
        if (result == null) {
            return null;
        }
        if (call.config().remoteOnly()) {
            return Manifest.decode(call.remoteManifest).with(result, MANIFEST_RESULTS).encode();
        }
        byte[][] recorded = new byte[1][];
        store.update(directKey, old -> recorded[0] = Manifest.decode(old).with(result, MANIFEST_RESULTS).encode(),
                call.config().namespace());
        call.stats.count(Counter.LOCAL_STORAGE_WRITE);
        return recorded[0];
    }
}
