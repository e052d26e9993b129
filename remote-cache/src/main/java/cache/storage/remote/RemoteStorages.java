package cache.storage.remote;

import cache.compat.config.RemoteStorageUrl;
import cache.store.EntryCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The storages of each {@code remote_storage} value a process has met, opened once and shared
 * by every cache directory and call that names the same value (their connections with them).
 * An entry that does not parse is logged once, without its secrets, and left out: the others,
 * and the local cache, go on.
 */
public final class RemoteStorages implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RemoteStorages.class.getName());

    private final EntryCodec codec;
    private final Duration backoff;
    private final Map<String, List<RemoteStorage>> byValue = new ConcurrentHashMap<>();

    public RemoteStorages(EntryCodec codec) {
        this(codec, RemoteStorage.BACKOFF);
    }

    /** @param backoff how long a server that failed is left alone ({@link RemoteStorage#BACKOFF} but in tests) */
    public RemoteStorages(EntryCodec codec, Duration backoff) {
        this.codec = codec;
        this.backoff = backoff;
    }

    /** The storages of {@code value} (a {@code remote_storage} setting), in order; empty for "". */
    public List<RemoteStorage> forValue(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return byValue.computeIfAbsent(value, v -> {
            RemoteStorageUrl.Parsed parsed = RemoteStorageUrl.parseAll(v);
            for (String error : parsed.errors()) {
                LOG.warning("remote_storage: " + error + "; that entry is ignored");
            }
            List<RemoteStorage> out = new ArrayList<>();
            for (RemoteStorageUrl u : parsed.urls()) {
                out.add(RemoteStorage.open(u, codec, backoff));
            }
            return List.copyOf(out);
        });
    }

    @Override
    public void close() {
        for (List<RemoteStorage> l : byValue.values()) {
            l.forEach(RemoteStorage::close);
        }
        byValue.clear();
    }
}
