package cache.frontend.key;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the dependency file gcc and clang write for {@code -MD}: a make rule
 * {@code target…: prerequisite…} with backslash-newline continuations, spaces in names
 * written {@code \ }, {@code #} as {@code \#} and {@code $} as {@code $$}. Phony rules that
 * {@code -MP} adds after the first rule are not read.
 */
public final class DependencyFile {

    private DependencyFile() {}

    /** The prerequisites of the first rule, in order (the source file first), or an empty list. */
    public static List<String> prerequisites(byte[] depFile) {
        if (depFile == null) {
            return List.of();
        }
        String text = new String(depFile, StandardCharsets.UTF_8);
        // The first rule: up to the first newline not escaped by a backslash.
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                rule.append(' ');
                i++;
            } else if (c == '\\' && i + 2 < text.length() && text.charAt(i + 1) == '\r' && text.charAt(i + 2) == '\n') {
                rule.append(' ');
                i += 2;
            } else if (c == '\n') {
                break;
            } else {
                rule.append(c);
            }
        }
        int colon = targetEnd(rule);
        if (colon < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = colon + 1; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '\\' && i + 1 < rule.length() && (rule.charAt(i + 1) == ' ' || rule.charAt(i + 1) == '#')) {
                word.append(rule.charAt(++i));
            } else if (c == '$' && i + 1 < rule.length() && rule.charAt(i + 1) == '$') {
                word.append('$');
                i++;
            } else if (c == ' ' || c == '\t') {
                if (word.length() > 0) {
                    out.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (word.length() > 0) {
            out.add(word.toString());
        }
        return out;
    }

    /** Index of the colon ending the targets: the first unescaped one followed by a blank or the end. */
    private static int targetEnd(CharSequence rule) {
        for (int i = 0; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ':' && (i + 1 == rule.length() || rule.charAt(i + 1) == ' ' || rule.charAt(i + 1) == '\t')) {
                return i;
            }
        }
        return -1;
    }
}
