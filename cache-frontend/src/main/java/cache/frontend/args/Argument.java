package cache.frontend.args;

import cache.compat.args.OptionTable;
import java.util.List;

/**
 * One argument of a compile as {@link ArgumentAnalyzer} read it: an option with its value,
 * if the value is a separate word, or an input.
 *
 * @param role what it is for
 * @param words its words as the command line spells them (one or two)
 * @param option the {@link OptionTable} row it matched, exactly or as a joined prefix, or
 *     {@code null}
 */
public record Argument(Role role, List<String> words, OptionTable.Option option) {

    public Argument {
        words = List.copyOf(words);
    }

    /** The first word: the option, or the input. */
    public String word() {
        return words.get(0);
    }

    /** Whether the matched row has {@code flag}. */
    public boolean has(int flag) {
        return option != null && option.has(flag);
    }

    /** The language a {@link Role#LANGUAGE} argument names ({@code -x c}, {@code -xc}). */
    public String languageName() {
        return words.size() == 2 ? words.get(1) : word().substring(2);
    }

    /** All words of {@code args}, in order. */
    static List<String> words(List<Argument> args) {
        // a loop, not a stream: every call walks this, and the daemon's C1-compiled streams cost ~8% of a warm hit's Java time
        java.util.ArrayList<String> out = new java.util.ArrayList<>(args.size() + 4);
        for (Argument a : args) {
            out.addAll(a.words());
        }
        return java.util.Collections.unmodifiableList(out);
    }
}
