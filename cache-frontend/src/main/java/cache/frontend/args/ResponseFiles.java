package cache.frontend.args;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands {@code @file} arguments the way gcc's libiberty {@code expandargv} does: words
 * separated by white space, single and double quotes group, a backslash escapes the next
 * character, nested {@code @file}s are expanded too.
 */
public final class ResponseFiles {

    private static final int MAX_DEPTH = 16;

    /** A response file that names a file of the calling process ({@code @/dev/fd/3}); it is not read. */
    public static final class CallersFileException extends IOException {
        private static final long serialVersionUID = 1L;
        private final String path;

        CallersFileException(String path) {
            super(path + " names a file of the calling process");
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    private ResponseFiles() {}

    /**
     * @throws IOException when a response file cannot be read (gcc would then take the word
     *     literally as a file name, which is no compile we want to guess about)
     */
    public static List<String> expand(List<String> args, Path cwd) throws IOException {
        List<String> out = new ArrayList<>(args.size());
        expandInto(args, cwd, out, 0, null, null);
        return out;
    }

    /**
     * {@link #expand} of {@code args}, and in {@code alignedOut} the same expansion of {@code
     * aligned}, a command of as many words as {@code args} that differs only outside response
     * files (the command as typed, where {@code args} is it with {@code base_dir} applied): each
     * word of {@code alignedOut} stands where its counterpart stands in the result. The
     * response files are those {@code args} names, read once.
     */
    public static List<String> expand(List<String> args, List<String> aligned, List<String> alignedOut, Path cwd)
            throws IOException {
        if (aligned.size() != args.size()) {
            throw new IllegalArgumentException("not word for word: " + aligned + " and " + args);
        }
        List<String> out = new ArrayList<>(args.size());
        expandInto(args, cwd, out, 0, aligned, alignedOut);
        return out;
    }

    private static void expandInto(List<String> args, Path cwd, List<String> out, int depth,
            List<String> aligned, List<String> alignedOut) throws IOException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            int before = out.size();
            if (a.length() > 1 && a.charAt(0) == '@') {
                if (depth >= MAX_DEPTH) {
                    throw new IOException("response files nested too deeply at " + a);
                }
                if (ArgumentAnalyzer.isCallersOwn(a.substring(1))) {
                    throw new CallersFileException(a.substring(1)); // the daemon would read its own descriptor
                }
                Path file = cwd.resolve(a.substring(1));
                String text = Files.readString(file, StandardCharsets.UTF_8);
                expandInto(split(text), cwd, out, depth + 1, null, null); // gcc resolves nested files against the cwd too
                if (alignedOut != null) {
                    alignedOut.addAll(out.subList(before, out.size())); // a file's words are the same in both
                }
            } else {
                out.add(a);
                if (alignedOut != null) {
                    alignedOut.add(aligned.get(i));
                }
            }
        }
    }

    /** Splits response-file text into words. */
    static List<String> split(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cur.append(text.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }
}
