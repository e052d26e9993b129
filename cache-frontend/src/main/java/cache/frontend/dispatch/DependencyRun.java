package cache.frontend.dispatch;

import cache.frontend.args.Argument;
import cache.frontend.args.Invocation;
import cache.frontend.args.Role;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The dependency file of a job the farm compiles ({@code -MD}, {@code -MMD}, with {@code -MF},
 * {@code -MT}, {@code -MQ}, {@code -MP}): written here by a preprocessor run, as distcc writes
 * it, while the node makes the object. The run is the call's preprocessor arguments with its
 * dependency options, its {@code -MF} replaced by a temporary file, and {@code -MQ <object>}
 * when the call names no target (what the compile's {@code -o} would have named), so the file
 * is the compile's byte for byte. Other dependency forms ({@code -Wp,-MD,…}, the
 * {@code DEPENDENCIES_OUTPUT} variable) keep the job here.
 *
 * <p>Why a second preprocessor run (the key's was the first): that run ({@code
 * PreprocessorRun}) leaves the dependency options out ({@link Invocation#preprocessorArgs}),
 * since it runs for every miss before the builder is chosen and before the remote lookup, and
 * only a farm job needs a preprocessor to write the file (a local compile writes its own, a hit
 * takes the stored one). It is avoidable without changing any output, as distcc's single cpp run
 * shows: gcc 12 and clang 14 write the same text with these options and a {@code .d} equal to the
 * compile's. That means giving the key's run these options and a temporary {@code -MF} when the
 * call may go to the farm ({@code prefix_command} distcc, switch not off) and handing the file to
 * the {@code BuildJob}: a change to the pipeline's preprocessor run and to {@code FarmBuilder},
 * not made here (session 14: it needs its own issue).
 */
final class DependencyRun {

    /** The dependency options this run reproduces; {@code -MF}, {@code -MT}, {@code -MQ} take a value. */
    private static final Set<String> FLAGS = Set.of("-MD", "-MMD", "-MP", "-MG");
    private static final Set<String> VALUED = Set.of("-MF", "-MT", "-MQ");

    private final ProcessRunner runner;

    DependencyRun(ProcessRunner runner) {
        this.runner = runner;
    }

    /** Why the call's dependency options cannot be reproduced by a preprocessor run here, or null. */
    static String refusal(Invocation inv) {
        boolean asked = false;
        for (Argument a : inv.arguments()) {
            if (a.role() != Role.DEPENDENCY) {
                continue;
            }
            String[] option = option(a);
            if (option == null) {
                return "dependency option " + String.join(" ", a.words()) + " (written by the compile only)";
            }
            asked |= option[0].equals("-MD") || option[0].equals("-MMD");
        }
        return asked ? null : "a dependency file asked for by the environment (DEPENDENCIES_OUTPUT …)";
    }

    /**
     * Runs the preprocessor for the dependency file only and returns its bytes.
     *
     * @throws IOException when the run fails (the job then stays here, where the compile writes it)
     */
    byte[] run(BuildJob job) throws IOException, InterruptedException {
        Invocation inv = job.inv();
        List<String> command = new ArrayList<>();
        command.add(job.compiler().path().toString());
        command.addAll(inv.preprocessorArgs()); // the source and -E, no dependency option
        boolean targetNamed = false;
        for (Argument a : inv.arguments()) {
            if (a.role() != Role.DEPENDENCY) {
                continue;
            }
            String[] option = option(a);
            if (option[0].equals("-MF")) {
                continue;
            }
            targetNamed |= option[0].equals("-MT") || option[0].equals("-MQ");
            command.add(option[0]);
            if (option[1] != null) {
                command.add(option[1]);
            }
        }
        if (!targetNamed) {
            command.add("-MQ");
            command.add(inv.object());
        }
        Path file = Files.createTempFile("cache-farm-deps", ".d");
        try {
            command.addAll(List.of("-MF", file.toString(), "-o", "/dev/null"));
            ProcessResult r = runner.run(command, job.cwd(), job.env());
            if (r.exitCode() != 0) {
                throw new IOException("the preprocessor run for the dependency file exited with " + r.exitCode() + ": "
                        + new String(r.stderr(), StandardCharsets.UTF_8).strip());
            }
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The option and its value (null for a flag), or null when this run does not reproduce it. */
    private static String[] option(Argument a) {
        List<String> w = a.words();
        String first = w.get(0);
        if (w.size() == 1 && FLAGS.contains(first)) {
            return new String[] {first, null};
        }
        if (w.size() == 2 && VALUED.contains(first)) {
            return new String[] {first, w.get(1)};
        }
        if (w.size() == 1 && first.length() > 3 && VALUED.contains(first.substring(0, 3))) {
            return new String[] {first.substring(0, 3), first.substring(3)};
        }
        return null;
    }
}
