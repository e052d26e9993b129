package cache.frontend.pipeline;

import cache.frontend.key.CompilerIdentity;
import cache.hashing.Digest;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * ccache's {@code compiler_check}: what of the compiler goes into every key.
 *
 * <ul>
 *   <li>{@code mtime} (default): size and modification time ({@link CompilerIdentity} as is);
 *   <li>{@code content}: the binary's contents;
 *   <li>{@code none}: nothing but the compiler's name;
 *   <li>{@code string:X}: the string X;
 *   <li>anything else: commands separated by {@code ;}, with {@code %compiler%} replaced by the
 *       compiler as ccache names it: as typed when that holds a {@code /} ({@code ./cc.sh}),
 *       else the path found in {@code PATH}; their exit codes, stdout and stderr are hashed. The result is kept per
 *       compiler path, size, mtime and setting, so a build runs each command once.
 * </ul>
 */
final class CompilerCheck {

    /** A command that failed: ccache counts {@code compiler_check_failed}. */
    static final class FailedException extends Exception {
        FailedException(String message) {
            super(message);
        }
    }

    private record Key(CompilerIdentity compiler, String setting, String asCalled) {}

    private final ProcessRunner runner;
    private final Cache<Key, Digest> results = Caffeine.newBuilder().maximumSize(1024).build();

    CompilerCheck(ProcessRunner runner) {
        this.runner = runner;
    }

    /** The identity to hash: without size and mtime unless the setting is {@code mtime}. */
    static CompilerIdentity identity(CompilerIdentity c, String setting) {
        return setting.equals("mtime") ? c : new CompilerIdentity(c.name(), c.path(), 0, 0);
    }

    /** Whether {@link #digest} can answer without reading the compiler or running a command. */
    boolean ready(CompilerIdentity c, String typed, String setting) {
        return setting.equals("mtime") || setting.equals("none") || setting.startsWith("string:")
                || results.getIfPresent(new Key(c, setting, asCalled(c, typed))) != null;
    }

    /**
     * What {@code %compiler%} stands for: ccache 4.7 keeps a compiler named with a {@code /} as
     * typed ({@code ./compiler.sh}) and uses the {@code PATH} look-up's answer otherwise.
     */
    static String asCalled(CompilerIdentity c, String typed) {
        return typed != null && typed.contains("/") ? typed : c.path().toString();
    }

    /** What to hash besides {@link #identity}, or null for {@code mtime} and {@code none}. */
    Digest digest(CompilerIdentity c, String typed, String setting, Path cwd, Map<String, String> env)
            throws IOException, InterruptedException, FailedException {
        if (setting.equals("mtime") || setting.equals("none")) {
            return null;
        }
        if (setting.startsWith("string:")) {
            return Digest.of(("compiler_check " + setting).getBytes(StandardCharsets.UTF_8));
        }
        String asCalled = asCalled(c, typed);
        Key key = new Key(c, setting, asCalled);
        Digest known = results.getIfPresent(key);
        if (known != null) {
            return known;
        }
        Digest d;
        if (setting.equals("content")) {
            d = Digest.of(Files.readAllBytes(c.path()));
        } else {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (String command : setting.split(";")) {
                List<String> words = CallSettings.words(command.replace("%compiler%", asCalled));
                if (words.isEmpty()) {
                    continue;
                }
                ProcessResult r;
                try {
                    r = runner.run(words, cwd, env);
                } catch (IOException e) {
                    // A command that cannot be started failed as a check (ccache: compiler_check_failed).
                    throw new FailedException("compiler check command could not run: " + command);
                }
                if (r.exitCode() != 0) {
                    throw new FailedException("compiler check command failed (" + r.exitCode() + "): " + command);
                }
                all.write(r.stdout());
                all.write(r.stderr());
            }
            d = Digest.of(all.toByteArray());
        }
        results.put(key, d);
        return d;
    }
}
