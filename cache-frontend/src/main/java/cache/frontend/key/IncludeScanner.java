package cache.frontend.key;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the files a preprocessor run read, from the line markers in its output
 * ({@code # 12 "path" 1 3} — flag 1 enters a file, 2 returns to one). For each file it also
 * reports the file that included it, whose directory heads the quote-include search.
 */
public final class IncludeScanner {

    /** A file read by the preprocessor, with the file that included it ({@code <command-line>} for {@code -include}). */
    public record Included(String path, String includer) {
        /**
         * Whether the command line included it ({@code -include}, or gcc's implicit {@code
         * stdc-predef.h}): its includer is gcc's {@code <command-line>}, or clang's {@code
         * <built-in>}/{@code <command line>}.
         */
        public boolean fromCommandLine() {
            return includer.startsWith("<");
        }
    }

    private IncludeScanner() {}

    /**
     * What one pass over a preprocessor's output found.
     *
     * @param included every included file once, in first-inclusion order; the main source is not listed
     * @param precompilable the included files a precompiled header could stand for, in order: gcc
     *     uses a {@code .gch} only for an {@code #include} in the main file before its first C
     *     token, or for a file the command line includes (GCC manual, "Using Precompiled
     *     Headers": no precompiled header from inside another header, none once the first token
     *     is seen). A main-file line that starts with {@code #} (a {@code #pragma} or {@code
     *     #ident} the preprocessor kept) is taken for a directive, not a token, so a later include
     *     stays a candidate; text without line markers names no file and so has none.
     */
    public record Scanned(List<Included> included, List<Included> precompilable) {}

    /** Every included file once, in first-inclusion order; the main source is not listed. */
    public static List<Included> scan(byte[] cpp) {
        return read(cpp).included();
    }

    /** The included files and, from the same pass, the precompilable ones ({@link Scanned}). */
    public static Scanned read(byte[] cpp) {
        Map<String, Included> found = new LinkedHashMap<>();
        List<Included> precompilable = new ArrayList<>();
        Deque<String> stack = new ArrayDeque<>();
        String main = null;
        boolean tokenSeen = false; // in the main file: no precompiled header after it
        int n = cpp.length;
        int i = 0;
        while (i < n) {
            int eol = i;
            while (eol < n && cpp[eol] != '\n') {
                eol++;
            }
            if (cpp[i] == '#') {
                if (i + 1 < eol && cpp[i + 1] == ' ') {
                    Included inc = marker(cpp, i + 2, eol, stack, found);
                    if (!tokenSeen) {
                        if (main == null && !stack.isEmpty()) {
                            main = stack.peekLast();
                        }
                        if (inc != null && (inc.includer().equals(main) || inc.fromCommandLine())) {
                            precompilable.add(inc);
                        }
                    }
                }
            } else if (!tokenSeen && main != null && main.equals(stack.peek()) && !blank(cpp, i, eol)) {
                tokenSeen = true;
            }
            i = eol + 1;
        }
        return new Scanned(new ArrayList<>(found.values()), precompilable);
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int k = from; k < to; k++) {
            if (b[k] != ' ' && b[k] != '\t' && b[k] != '\r' && b[k] != '\f' && b[k] != 0x0b) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies one marker: flag 1 enters a file, flag 2 returns to one, no flag names the current
     * file. Returns the file it enters for the first time, else null.
     */
    private static Included marker(byte[] b, int p, int eol, Deque<String> stack, Map<String, Included> found) {
        int digits = p;
        while (p < eol && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        if (p == digits || p + 1 >= eol || b[p] != ' ' || b[p + 1] != '"') {
            return null;
        }
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        int q = p + 2;
        for (; q < eol && b[q] != '"'; q++) {
            if (b[q] == '\\' && q + 1 < eol) {
                q++; // gcc escapes backslashes and quotes in file names
            }
            raw.write(b[q]);
        }
        String name = raw.toString(StandardCharsets.UTF_8);
        int flag = q + 2 < eol && b[q + 1] == ' ' ? b[q + 2] - '0' : 0;
        if (flag == 1) {
            String includer = stack.isEmpty() ? "<command-line>" : stack.peek();
            stack.push(name);
            if (!name.startsWith("<") && !found.containsKey(name)) {
                Included inc = new Included(name, includer);
                found.put(name, inc);
                return inc;
            }
        } else if (flag == 2) {
            while (!stack.isEmpty() && !stack.peek().equals(name)) {
                stack.pop();
            }
            if (stack.isEmpty()) {
                stack.push(name);
            }
        } else {
            if (!stack.isEmpty()) {
                stack.pop();
            }
            stack.push(name);
        }
        return null;
    }
}
