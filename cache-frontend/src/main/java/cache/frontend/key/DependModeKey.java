package cache.frontend.key;

import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.KeyBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The entry key of a depend-mode miss, found without running the preprocessor: the direct key
 * (compiler, arguments, environment, source) plus every header the compile's dependency file
 * lists, by path and contents. Manifests name such entries like any other.
 */
public final class DependModeKey {

    private DependModeKey() {}

    /**
     * @param headers the dependency file's prerequisites after the source, as written
     * @return the key's inputs, or null when a listed file cannot be read now (nothing to remember)
     */
    public static KeyBuilder builder(boolean explain, Digest directKey, List<String> headers, Path cwd,
            FileHashCache hashes) {
        KeyBuilder key = (explain ? KeyBuilder.explaining() : KeyBuilder.create())
                .add("mode", "depend").add("direct", directKey);
        for (String dep : headers) {
            FileHashCache.Hashed h;
            try {
                h = hashes.hash(cwd.resolve(dep));
            } catch (IOException e) {
                return null;
            }
            key.add("path", dep).add("file", h.digest());
        }
        return key;
    }
}
