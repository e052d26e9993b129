package cache.node;

import cache.hashing.Digest;
import cache.node.protocol.NodeProtocol.Compile;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import cache.store.EntryCodec;
import cache.store.InMemoryEntryStore;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A {@link NodeService} for unit tests whose only compiler is a fake {@code gcc} 12.2.0 for
 * x86_64-linux-gnu: a placeholder file {@code dir/bin/gcc} (so the resolver finds it) and a
 * {@link ProcessRunner} that answers the identity questions itself and hands every other command
 * to the test's {@link Job}. No process is ever started; the store is in memory.
 */
final class FakeGccNode {

    /** The compiler the fake {@code gcc} claims to be. */
    static final CompilerSpec GCC = new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu");
    /** A preprocessed input for {@link #compile}. */
    static final byte[] SOURCE = "int x;\n".getBytes(StandardCharsets.UTF_8);

    private FakeGccNode() {
    }

    /** What the fake {@code gcc} does for a compile command (any command but the identity questions). */
    @FunctionalInterface
    interface Job {
        ProcessResult run(List<String> cmd, Path cwd) throws IOException, InterruptedException;
    }

    /** A runner answering {@code -dumpfullversion} and {@code -dumpmachine} as {@link #GCC}, the rest by {@code job}. */
    static ProcessRunner gcc(Job job) {
        return (cmd, cwd, env, limit) -> {
            String first = cmd.get(1);
            if (first.equals("-dumpfullversion")) {
                return new ProcessResult(0, "12.2.0\n".getBytes(StandardCharsets.UTF_8), new byte[0]);
            }
            if (first.equals("-dumpmachine")) {
                return new ProcessResult(0, "x86_64-linux-gnu\n".getBytes(StandardCharsets.UTF_8), new byte[0]);
            }
            return job.run(cmd, cwd);
        };
    }

    /**
     * {@link #gcc} whose compiles write an object ("object") where {@code -o} says and succeed,
     * every command it is given (identity questions included) recorded in {@code ran}.
     */
    static ProcessRunner recording(List<List<String>> ran) {
        ProcessRunner gcc = gcc((cmd, cwd) -> {
            java.nio.file.Files.write(cwd.resolve(cmd.get(cmd.indexOf("-o") + 1)),
                    "object".getBytes(StandardCharsets.UTF_8));
            return new ProcessResult(0, new byte[0], new byte[0]);
        });
        return (cmd, cwd, env, limit) -> {
            ran.add(List.copyOf(cmd));
            return gcc.run(cmd, cwd, env, limit);
        };
    }

    /**
     * A node in {@code dir} (its {@code bin/} search path and {@code jobs/} directory) with
     * {@code config}'s other settings, running every command through {@code compiler}; the caller
     * closes it.
     */
    static NodeService start(Path dir, NodeConfig config, ProcessRunner compiler) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path gcc = bin.resolve("gcc");
        if (!Files.exists(gcc)) {
            Files.createFile(gcc, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(gcc, "#!/bin/sh\n");
        }
        config.searchPath(List.of(bin)).tmpDir(Files.createDirectories(dir.resolve("jobs")));
        return new NodeService(config, new InMemoryEntryStore(EntryCodec.defaults()),
                new CompilerResolver(null, List.of(bin), compiler), compiler, new NodeStats());
    }

    /** A {@code -O2} compile of {@link #SOURCE} as preprocessed C under {@code key}. */
    static Compile compile(int id, Digest key) {
        return new Compile(id, key, GCC, "cpp-output", List.of("-O2"), SOURCE.length, Zstd.compress(SOURCE));
    }
}
