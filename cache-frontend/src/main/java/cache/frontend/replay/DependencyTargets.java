package cache.frontend.replay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored dependency file given the rule target of the call being served, as ccache 4.7
 * rewrites it on a hit ({@code -MD}/{@code -MMD} with {@code -o} and no {@code -MT}/{@code
 * -MQ}: the target is the object path, which is then left out of the key, so one entry serves
 * every object name a build gives the same compile).
 *
 * <p>Unlike ccache, the result is the compiler's own bytes: the first rule is laid out again
 * with the new target, wrapping its lines as the compiler that wrote it does (gcc at 72
 * columns, clang at 75), and that layout is first checked to reproduce the stored file from its
 * own target. A file laid out any other way cannot be rewritten exactly: {@link #retarget}
 * then answers null and the caller compiles instead of serving the entry.
 */
public final class DependencyTargets {

    private DependencyTargets() {}

    /** How a compiler family lays out the first rule of a dependency file. */
    private enum Layout {
        /** gcc's mkdeps.cc ({@code make_write_name}, 72 columns). */
        GCC {
            @Override
            String render(List<String> targets, List<String> prerequisites) {
                StringBuilder out = new StringBuilder();
                int col = 0;
                for (String t : targets) {
                    if (col > 0) {
                        if (col + t.length() > 72) {
                            out.append(" \\\n");
                            col = 0;
                        }
                        out.append(' ');
                        col++;
                    }
                    out.append(t);
                    col += t.length();
                }
                out.append(':');
                col++;
                for (String p : prerequisites) {
                    if (col + p.length() > 72) {
                        out.append(" \\\n");
                        col = 0;
                    }
                    out.append(' ').append(p);
                    col += 1 + p.length();
                }
                return out.append('\n').toString();
            }
        },
        /** clang's DependencyFileGenerator (75 columns, room kept for a trailing {@code " \"}). */
        CLANG {
            @Override
            String render(List<String> targets, List<String> prerequisites) {
                StringBuilder out = new StringBuilder();
                int col = 0;
                for (String t : targets) {
                    if (col == 0) {
                        col = t.length();
                    } else if (col + t.length() + 2 > 75) {
                        col = t.length() + 2;
                        out.append(" \\\n  ");
                    } else {
                        col += t.length() + 1;
                        out.append(' ');
                    }
                    out.append(t);
                }
                out.append(':');
                col++;
                for (String p : prerequisites) {
                    int n = unescapedLength(p);
                    if (col + n + 1 + 2 > 75) {
                        out.append(" \\\n ");
                        col = 2;
                    }
                    out.append(' ').append(p);
                    col += n + 1;
                }
                return out.append('\n').toString();
            }
        };

        abstract String render(List<String> targets, List<String> prerequisites);
    }

    /**
     * {@code stored} with its first rule's targets replaced by {@code targets} (as the compiler
     * writes them, quoted for make), laid out as its compiler lays it out; {@code stored} itself
     * when it already names those targets; null when the stored layout is not one this class
     * reproduces exactly.
     */
    public static byte[] retarget(byte[] stored, List<String> targets) {
        String text = new String(stored, StandardCharsets.ISO_8859_1); // bytes in, the same bytes out
        int end = firstRuleEnd(text);
        if (end < 0) {
            return null;
        }
        List<String> words = words(text.substring(0, end));
        int colon = -1;
        for (int i = 0; i < words.size() && colon < 0; i++) {
            if (words.get(i).endsWith(":")) {
                colon = i;
            }
        }
        if (colon < 0 || words.get(colon).length() < 2) {
            return null;
        }
        List<String> old = new ArrayList<>(words.subList(0, colon + 1));
        old.set(colon, words.get(colon).substring(0, words.get(colon).length() - 1));
        if (old.equals(targets)) {
            return stored;
        }
        List<String> prerequisites = words.subList(colon + 1, words.size());
        String rule = text.substring(0, end + 1);
        for (Layout layout : Layout.values()) {
            if (layout.render(old, prerequisites).equals(rule)) {
                String out = layout.render(targets, prerequisites) + text.substring(end + 1);
                return out.getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** The index of the newline that ends the first rule (one not escaped by a backslash), or -1. */
    private static int firstRuleEnd(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                i++; // an escaped character, or a line continuation
            } else if (c == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The words of a rule: separated by blanks and line continuations; an escaped blank stays in its word. */
    private static List<String> words(String rule) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < rule.length(); i++) {
            char c = rule.charAt(i);
            if (c == '\\' && i + 1 < rule.length() && rule.charAt(i + 1) == '\n') {
                i++;
                flush(word, out);
            } else if (c == '\\' && i + 1 < rule.length()) {
                word.append(c).append(rule.charAt(++i));
            } else if (c == ' ' || c == '\t') {
                flush(word, out);
            } else {
                word.append(c);
            }
        }
        flush(word, out);
        return out;
    }

    private static void flush(StringBuilder word, List<String> out) {
        if (!word.isEmpty()) {
            out.add(word.toString());
            word.setLength(0);
        }
    }

    /** A file name's length before make quoting ({@code \ }, {@code \#}, {@code $$}), as clang counts it. */
    private static int unescapedLength(String word) {
        int n = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if ((c == '\\' || c == '$') && i + 1 < word.length()
                    && (word.charAt(i + 1) == ' ' || word.charAt(i + 1) == '#' || (c == '$' && word.charAt(i + 1) == '$'))) {
                i++;
            }
            n++;
        }
        return n;
    }
}
