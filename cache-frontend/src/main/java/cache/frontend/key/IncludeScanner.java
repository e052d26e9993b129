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
    public record Included(String path, String includer) {}

    private IncludeScanner() {}

    /** Every included file once, in first-inclusion order; the main source is not listed. */
    public static List<Included> scan(byte[] cpp) {
        Map<String, Included> found = new LinkedHashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        int n = cpp.length;
        int i = 0;
        while (i < n) {
            int eol = i;
            while (eol < n && cpp[eol] != '\n') {
                eol++;
            }
            if (cpp[i] == '#' && i + 1 < eol && cpp[i + 1] == ' ') {
                marker(cpp, i + 2, eol, stack, found);
            }
            i = eol + 1;
        }
        return new ArrayList<>(found.values());
    }

    /** Applies one marker: flag 1 enters a file, flag 2 returns to one, no flag names the current file. */
    private static void marker(byte[] b, int p, int eol, Deque<String> stack, Map<String, Included> found) {
        int digits = p;
        while (p < eol && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        if (p == digits || p + 1 >= eol || b[p] != ' ' || b[p + 1] != '"') {
            return;
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
            if (!name.startsWith("<")) {
                found.putIfAbsent(name, new Included(name, includer));
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
    }
}
