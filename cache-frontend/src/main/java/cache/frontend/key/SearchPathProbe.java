package cache.frontend.key;

import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Asks the compiler for its include search path ({@code cc <args> -E -v -x LANG /dev/null})
 * once per compiler, language, arguments and directory, and remembers the answer. The source is
 * not one of those arguments: the path does not depend on it, and a build's misses of one
 * command line (one per source) share one answer instead of one more compiler run each.
 */
public final class SearchPathProbe {

    private record Question(CompilerIdentity compiler, String language, List<String> args, Path cwd) {}

    private final ProcessRunner runner;
    private final Cache<Question, SearchPath> answers = Caffeine.newBuilder().maximumSize(1_000).build();

    public SearchPathProbe(ProcessRunner runner) {
        this.runner = runner;
    }

    /**
     * @param preprocessorArgs the preprocessor-run arguments (with the source and {@code -E})
     * @return the search path, or {@code null} when the compiler would not tell
     */
    public SearchPath searchPath(CompilerIdentity compiler, String language, List<String> preprocessorArgs,
            String source, Path cwd, Map<String, String> env) throws InterruptedException {
        List<String> args = new ArrayList<>(preprocessorArgs.size());
        for (String a : preprocessorArgs) {
            if (!a.equals(source)) {
                args.add(a);
            }
        }
        Question q = new Question(compiler, language, List.copyOf(args), cwd);
        SearchPath known = answers.getIfPresent(q);
        if (known != null) {
            return known;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(compiler.path().toString());
        cmd.addAll(args);
        cmd.add("-v");
        cmd.add("-x");
        cmd.add(language);
        cmd.add("/dev/null");
        try {
            ProcessResult r = runner.run(cmd, cwd, env);
            if (r.exitCode() != 0) {
                return null;
            }
            SearchPath sp = SearchPath.parse(r.stderr());
            if (sp.bracket().isEmpty()) {
                return null;
            }
            answers.put(q, sp);
            return sp;
        } catch (IOException e) {
            return null;
        }
    }
}
