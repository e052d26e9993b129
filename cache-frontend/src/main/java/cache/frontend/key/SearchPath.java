package cache.frontend.key;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The include search directories of one compiler configuration, as {@code cc -E -v} lists
 * them: quote-only directories ({@code -iquote}), then the bracket chain ({@code -I},
 * {@code -isystem}, system directories, {@code -idirafter}). Directories the compiler ignored
 * because they did not exist are kept apart: a header appearing in one of them later could
 * shadow anything, so they are candidates for every header.
 */
public record SearchPath(List<String> quoteOnly, List<String> bracket, List<String> missing) {

    /** Parses the stderr of {@code cc -E -v}. */
    public static SearchPath parse(byte[] verboseStderr) {
        List<String> quote = new ArrayList<>();
        List<String> bracket = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> into = null;
        for (String line : new String(verboseStderr, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("ignoring nonexistent directory \"") && line.endsWith("\"")) {
                missing.add(line.substring("ignoring nonexistent directory \"".length(), line.length() - 1));
            } else if (line.startsWith("#include \"...\" search starts here:")) {
                into = quote;
            } else if (line.startsWith("#include <...> search starts here:")) {
                into = bracket;
            } else if (line.startsWith("End of search list.")) {
                into = null;
            } else if (into != null && line.startsWith(" ")) {
                String dir = line.substring(1);
                int fw = dir.indexOf(" (framework directory)");
                into.add(fw >= 0 ? dir.substring(0, fw) : dir);
            }
        }
        return new SearchPath(List.copyOf(quote), List.copyOf(bracket), List.copyOf(missing));
    }

    /**
     * Directories a quote include from a file in {@code includerDir} searches, in order: the
     * includer's directory, the quote-only directories, the bracket chain. (A bracket include
     * searches a suffix of this; using the longer chain only adds candidates.)
     */
    public List<String> quoteChain(String includerDir) {
        List<String> chain = new ArrayList<>(1 + quoteOnly.size() + bracket.size());
        chain.add(includerDir);
        chain.addAll(quoteOnly);
        chain.addAll(bracket);
        return chain;
    }
}
