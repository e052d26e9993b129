package cache.frontend.key;

import cache.frontend.args.Invocation;
import cache.hashing.Digest;
import cache.hashing.KeyBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The key of a call in preprocessor mode, a pure function of its inputs: the compiler's
 * identity, the language, the arguments that can change an output (those that only steer the
 * preprocessor are represented by its output instead), the allow-listed environment, the cwd
 * when outputs embed it, and the preprocessed text and preprocessor diagnostics.
 */
public final class PreprocessorModeKey {

    /** Bump when the meaning of any field changes: old entries then simply miss. */
    static final int FORMAT = 2;

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
     * Whether already-preprocessed text opens with a line marker ({@code # 0 "x.c"}, as {@code gcc
     * -E} writes it). gcc then takes the file's name for the object ({@code .file}, DWARF) from the
     * marker, so the name of the {@code .i} itself changes nothing: distccd compiles the same text
     * under a new temporary name each time, and its repeated jobs must hit. Without a marker
     * ({@code -P}) the object names the {@code .i}, which is then part of the key.
     */
    static boolean startsWithLineMarker(byte[] text) {
        int i = 0;
        if (text.length == 0 || text[i++] != '#') {
            return false;
        }
        while (i < text.length && text[i] == ' ') {
            i++;
        }
        if (text.length - i >= 5 && new String(text, i, 5, StandardCharsets.US_ASCII).equals("line ")) {
            i += 5;
        }
        int digits = i;
        while (i < text.length && text[i] >= '0' && text[i] <= '9') {
            i++;
        }
        return i > digits && i + 1 < text.length && text[i] == ' ' && text[i + 1] == '"';
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
        // Assembler (.s) is left keyed by its name: as names its object after the input.
        boolean named = !inv.language().gccName().equals("assembler") && startsWithLineMarker(preprocessed);
        for (int i = 0; i < inv.keyArgs().size(); i++) {
            String a = inv.keyArgs().get(i);
            if (named && a.equals("[source]") && i + 1 < inv.keyArgs().size()) {
                i++; // the text names its file: the input's own name reaches no output
                continue;
            }
            key.add("arg", a);
        }
        KeyEnvironment.addTo(key, in.env());
        if (inv.hashCwd()) {
            key.add("cwd", in.cwd());
        }
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
