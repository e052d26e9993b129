package cache.frontend.key;

import cache.frontend.args.Invocation;
import cache.hashing.Digest;
import cache.hashing.FileHashCache;
import cache.hashing.KeyBuilder;
import java.time.LocalDate;

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
    public static KeyBuilder builder(KeyInputs in, FileHashCache.Hashed source, LocalDate today) {
        Invocation inv = in.inv();
        KeyBuilder key = in.explain() ? KeyBuilder.explaining() : KeyBuilder.create();
        key.add("format", FORMAT).add("mode", "direct");
        in.compiler().addTo(key);
        key.add("language", inv.language().gccName());
        for (String a : inv.directKeyArgs()) {
            key.add("arg", a);
        }
        KeyEnvironment.addTo(key, in.env());
        if (inv.hashCwd()) {
            key.add("cwd", in.cwd());
        }
        key.add("source.path", inv.source());
        key.add("source", source.digest());
        if ((source.flags() & FileHashCache.DATE) != 0) {
            key.add("date", today.toString());
        }
        if ((source.flags() & FileHashCache.TIMESTAMP) != 0) {
            key.add("source.mtime", source.stat().mtimeNanos());
        }
        for (Digest d : in.extraFiles()) {
            key.add("file", d);
        }
        // A manifest names entries by their preprocessor-mode keys, which differ, but a direct
        // hit must not serve one run_second_cpp setting's result to the other either.
        in.addCompileFields(key);
        return key;
    }
}
