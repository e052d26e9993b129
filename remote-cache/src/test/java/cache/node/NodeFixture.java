package cache.node;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the node's integration tests: whitelists, fake compilers, real compiler runs. */
final class NodeFixture {

    static final String SMALL_C = """
            #include <stdio.h>
            #define SQUARE(x) ((x) * (x))
            static int table[16];
            int work(int n) {
                for (int i = 0; i < 16; i++) table[i] = SQUARE(i + n);
                return table[n & 15];
            }
            int main(void) { printf("%d\\n", work(3)); return 0; }
            """;

    private NodeFixture() {
    }

    /** A whitelist directory holding dangling links named {@code names}, as Debian's /usr/lib/distcc. */
    static Path whitelist(Path parent, String... names) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("whitelist"));
        for (String n : names) {
            Files.createSymbolicLink(dir.resolve(n), Path.of("../../bin/distcc"));
        }
        return dir;
    }

    /** A node config on 127.0.0.1, free ports, a real store in {@code dir}, {@code jobs} slots. */
    static NodeConfig config(Path dir, Path whitelist, int jobs) throws IOException {
        return new NodeConfig().listen("127.0.0.1").port(0).statsPort(0).jobs(jobs).nice(0)
                .cacheDir(dir.resolve("store")).whitelist(whitelist)
                .tmpDir(Files.createDirectories(dir.resolve("tmp")))
                .nodeName("test-node");
    }

    static NodeClient connect(CachedNode node) throws IOException {
        return connect(node, new NodeClient.Options());
    }

    static NodeClient connect(CachedNode node, NodeClient.Options options) throws IOException {
        return NodeClient.connect("127.0.0.1", node.address().getPort(), options);
    }

    /** The compiler as a client would describe it: its name, -dumpfullversion (else -dumpversion), -dumpmachine. */
    static CompilerSpec spec(String name) throws Exception {
        String v = run(List.of(name, "-dumpfullversion"), null).strip();
        if (v.isEmpty()) {
            v = run(List.of(name, "-dumpversion"), null).strip();
        }
        return new CompilerSpec(name, v, run(List.of(name, "-dumpmachine"), null).strip());
    }

    /** Preprocesses {@link #SMALL_C} with {@code compiler -E}, as a client does before probing. */
    static byte[] preprocess(Path dir, String compiler, String source) throws Exception {
        Path c = dir.resolve("hello.c");
        Files.writeString(c, source);
        Path i = dir.resolve("hello-" + compiler + ".i");
        run(List.of(compiler, "-E", c.toString(), "-o", i.toString()), dir);
        return Files.readAllBytes(i);
    }

    /** Compiles preprocessed input locally, the reference a node's object must equal. */
    static byte[] compileLocally(Path dir, String compiler, List<String> args, byte[] input) throws Exception {
        Path work = Files.createTempDirectory(dir, "local-");
        Files.write(work.resolve("input.i"), input);
        List<String> cmd = new ArrayList<>(List.of(compiler));
        cmd.addAll(args);
        cmd.addAll(List.of("-c", "-x", "cpp-output", "input.i", "-o", "local.o"));
        run(cmd, work);
        return Files.readAllBytes(work.resolve("local.o"));
    }

    static Digest key(String s) {
        return Digest.of(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A fake compiler script named {@code name} in {@code dir}: reports {@code version} and
     * {@code target}; a compile waits until {@code gate} exists (when given), then writes its
     * -o file (the last argument) with the bytes "fake object".
     */
    static Path fakeCompiler(Path dir, String name, String version, String target, Path gate) throws IOException {
        Files.createDirectories(dir);
        String wait = gate == null ? "" : "while [ ! -e '" + gate + "' ]; do sleep 0.05; done\n";
        String script = "#!/bin/sh\n"
                + "case \"$1\" in -dumpfullversion|-dumpversion) echo '" + version + "'; exit 0;; "
                + "-dumpmachine) echo '" + target + "'; exit 0;; esac\n"
                + wait
                + "for last; do :; done\n"
                + "printf 'fake object' > \"$last\"\n";
        Path p = dir.resolve(name);
        Files.writeString(p, script);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static String run(List<String> cmd, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0 && !cmd.contains("-dumpfullversion")) {
            throw new IOException(cmd + " failed (" + code + "): " + out);
        }
        return code == 0 ? out : "";
    }
}
