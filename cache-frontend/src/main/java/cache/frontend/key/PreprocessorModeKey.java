package cache.frontend.key;

import cache.frontend.args.Invocation;
import cache.hashing.Digest;
import cache.hashing.KeyBuilder;
import java.util.List;

/**
 * The key of a call in preprocessor mode, a pure function of its inputs: the compiler's
 * identity, the language, the arguments that can change an output (those that only steer the
 * preprocessor are represented by its output instead), the allow-listed environment, the cwd
 * when outputs embed it, and the preprocessed text and preprocessor diagnostics.
 */
public final class PreprocessorModeKey {

    /** Bump when the meaning of any field changes: old entries then simply miss. */
    static final int FORMAT = 1;

    private PreprocessorModeKey() {}

    /** How far into the preprocessed text gcc's working-directory line is looked for (it is the second line). */
    private static final int CWD_LINE_WITHIN = 8192;

    /**
     * The preprocessed text without the line that names the working directory ({@code # 1
     * "/dir//"}, which gcc writes with {@code -g}), for a key that leaves the directory out
     * ({@code hash_dir = false}): as ccache, which then does not hash that line either.
     */
    static byte[] withoutCwdLine(byte[] preprocessed, String cwd) {
        byte[] line = ("\n# 1 \"" + cwd + "//\"\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int limit = Math.min(preprocessed.length, CWD_LINE_WITHIN) - line.length;
        for (int i = 0; i <= limit; i++) {
            if (java.util.Arrays.equals(preprocessed, i, i + line.length, line, 0, line.length)) {
                byte[] out = new byte[preprocessed.length - line.length + 1];
                System.arraycopy(preprocessed, 0, out, 0, i + 1); // keeps the newline before it
                System.arraycopy(preprocessed, i + line.length, out, i + 1, preprocessed.length - i - line.length);
                return out;
            }
        }
        return preprocessed;
    }

    /**
     * @param preprocessed the preprocessor's stdout, or the source itself for inputs that are
     *     already preprocessed
     * @param preprocessorStderr what the preprocessor printed (its warnings are part of the result)
     * @param includedFiles digests of the files the preprocessor read, when the object records
     *     their contents beyond the preprocessed text (clang's DWARF 5 line tables carry an MD5
     *     of each file); empty otherwise
     */
    public static KeyBuilder builder(KeyInputs in, byte[] preprocessed, byte[] preprocessorStderr,
            List<Digest> includedFiles) {
        Invocation inv = in.inv();
        KeyBuilder key = in.explain() ? KeyBuilder.explaining() : KeyBuilder.create();
        key.add("format", FORMAT).add("mode", "preprocessor");
        in.compiler().addTo(key);
        key.add("language", inv.language().gccName());
        for (String a : inv.keyArgs()) {
            key.add("arg", a);
        }
        KeyEnvironment.addTo(key, in.env());
        if (inv.hashCwd()) {
            key.add("cwd", in.cwd());
        }
        key.add("color", in.colored());
        key.add("cpp", Digest.of(inv.hashCwd() ? preprocessed : withoutCwdLine(preprocessed, in.cwd())));
        key.add("cpp.stderr", Digest.of(preprocessorStderr));
        for (Digest d : in.extraFiles()) {
            key.add("file", d);
        }
        for (Digest d : includedFiles) {
            key.add("included", d);
        }
        // Compiling the preprocessed text gives other diagnostics (and objects, in corner
        // cases) than compiling the source; the file's extension chooses the language.
        in.addCompileFields(key);
        return key;
    }
}
