package cache.frontend.key;

import cache.frontend.args.Invocation;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.KeyBuilder;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The key under which direct mode finds a manifest, without running the preprocessor: the
 * compiler, every argument that can change an output (response files expanded; output names
 * only where an output's contents name them), the allow-listed environment,
 * the cwd when outputs embed it, and the source file's path and contents. What the
 * preprocessor would read besides the source is checked through the manifest.
 */
public final class DirectModeKey {

    static final int FORMAT = 2; // 2: output names left out (issue 22)

    private DirectModeKey() {}

    /**
     * @param source the source file's digest and time-macro flags (a source mentioning
     *     {@code __TIME__} must not reach here)
     * @param today the local date, hashed when the source mentions {@code __DATE__}
     */
    public static KeyBuilder builder(boolean explain, CompilerIdentity compiler, Invocation inv, String cwd,
            Map<String, String> env, FileHashCache.Hashed source, boolean colored, List<Digest> extraFiles,
            LocalDate today) {
        KeyBuilder key = explain ? KeyBuilder.explaining() : KeyBuilder.create();
        key.add("format", FORMAT).add("mode", "direct");
        compiler.addTo(key);
        key.add("language", inv.language().gccName());
        for (String a : inv.directKeyArgs()) {
            key.add("arg", a);
        }
        KeyEnvironment.addTo(key, env);
        if (inv.hashCwd()) {
            key.add("cwd", cwd);
        }
        key.add("color", colored);
        key.add("source.path", inv.source());
        key.add("source", source.digest());
        if ((source.flags() & FileHashCache.DATE) != 0) {
            key.add("date", today.toString());
        }
        if ((source.flags() & FileHashCache.TIMESTAMP) != 0) {
            key.add("source.mtime", source.stat().mtimeNanos());
        }
        for (Digest d : extraFiles) {
            key.add("file", d);
        }
        return key;
    }
}
