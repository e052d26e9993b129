package cache.storage.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import cache.hashing.Digest;
import cache.store.CacheEntry;
import cache.store.EntryCodec;
import cache.store.InMemoryEntryStore;
import cache.store.OutputKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The node's store with a {@code file:} remote storage behind it: two stores share what either stored. */
@Timeout(30)
class RemoteBackedStoreTest {

    @TempDir
    Path dir;

    @Test
    void aKeyTheLocalStoreLacksComesFromRemoteStorageAndIsBackFilled() {
        EntryCodec codec = EntryCodec.defaults();
        Digest key = new Digest(1, 2);
        CacheEntry entry = new CacheEntry(0, new byte[0], new byte[0],
                Map.of(OutputKind.OBJECT, "OBJ".getBytes(StandardCharsets.UTF_8)));
        List<RemoteStorage.Status> seen = new CopyOnWriteArrayList<>();
        InMemoryEntryStore localA = new InMemoryEntryStore(codec);
        try (RemoteBackedStore a = new RemoteBackedStore(localA, "file:" + dir, codec, seen::add)) {
            assertNull(a.getEncoded(key));
            a.putEncoded(key, codec.encode(entry));
        }
        assertEquals(List.of(RemoteStorage.Status.MISS, RemoteStorage.Status.WRITTEN), seen);
        InMemoryEntryStore localB = new InMemoryEntryStore(codec);
        try (RemoteBackedStore b = new RemoteBackedStore(localB, "file:" + dir + "|read-only", codec, seen::add)) {
            byte[] got = b.getEncoded(key);
            assertArrayEquals(codec.encode(entry), got);
            assertEquals(1, localB.entryCount(), "back-filled");
            b.putEncoded(new Digest(3, 4), codec.encode(entry));
        }
        assertEquals(RemoteStorage.Status.HIT, seen.get(2));
        assertEquals(3, seen.size(), "read-only: nothing written");
    }
}
