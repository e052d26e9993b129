package cache.frontend.pipeline;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.FileStat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** When a source hashed after the compile may be remembered in a manifest ({@link Call#sourceRecordable}). */
class CallRecordableTest {

    private static final long BEFORE = 1_800_000_000_000_000_000L;
    private static final Digest A = Digest.of("int a;\n".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.of("int b;\n".getBytes(StandardCharsets.UTF_8));

    private static FileHashCache.Hashed hashed(Digest d, long mtime, long ctime) {
        return new FileHashCache.Hashed(d, new FileStat(1, 2, 7, mtime, ctime, false, true), 0);
    }

    @Test
    void aSourceLastChangedBeforeTheReadersStartedWithTheLookedUpContentsIsRecordable() {
        assertTrue(Call.sourceRecordable(hashed(A, BEFORE - 1, BEFORE - 1), A, BEFORE));
        assertTrue(Call.sourceRecordable(hashed(A, BEFORE - 1, BEFORE - 1), null, BEFORE), "no direct key to agree with");
    }

    @Test
    void aSourceChangedAtOrAfterTheReadersStartedIsNot() {
        assertFalse(Call.sourceRecordable(hashed(A, BEFORE, BEFORE - 1), A, BEFORE), "mtime in the readers' tick");
        assertFalse(Call.sourceRecordable(hashed(A, BEFORE - 1, BEFORE + 5), A, BEFORE), "ctime after");
    }

    /**
     * Rewritten between the lookup and the preprocessor's start: stamped before that start, but
     * the direct key names the old contents, and the compile read the new ones.
     */
    @Test
    void aSourceRewrittenBetweenTheLookupAndTheReadersIsNot() {
        assertFalse(Call.sourceRecordable(hashed(B, BEFORE - 1, BEFORE - 1), A, BEFORE));
    }
}
