package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import cache.process.ProcessResult;
import cache.process.ProcessRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whitelist, PATH lookup past wrappers and identity probing, with a fake runner (no process runs). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CompilerResolverTest {

    @TempDir
    Path dir;

    private final List<List<String>> probes = new ArrayList<>();
    private final ProcessRunner fake = (cmd, cwd, env, limit) -> {
        probes.add(cmd);
        String out = switch (cmd.get(1)) {
            case "-dumpfullversion" -> "12.2.0\n";
            case "-dumpmachine" -> "x86_64-linux-gnu\n";
            default -> "";
        };
        return new ProcessResult(0, out.getBytes(StandardCharsets.UTF_8), new byte[0], false);
    };
    private Path whitelist;
    private Path masquerade;
    private Path bin;

    @BeforeEach
    void layout() throws Exception {
        whitelist = NodeFixture.whitelist(dir, "gcc", "cc");
        bin = Files.createDirectories(dir.resolve("bin"));
        executable(bin.resolve("gcc"));
        executable(bin.resolve("sh"));
        executable(bin.resolve("distcc"));
        masquerade = Files.createDirectories(dir.resolve("masquerade"));
        Files.createSymbolicLink(masquerade.resolve("gcc"), bin.resolve("distcc"));
    }

    private static void executable(Path p) throws Exception {
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private CompilerResolver resolver(Path whitelistDir) {
        return new CompilerResolver(whitelistDir, List.of(masquerade, bin), fake);
    }

    @Test
    void runsTheFirstNonWrapperOnThePathAndProbesItOnce() throws Exception {
        CompilerResolver r = resolver(whitelist);
        NodeCompiler c = r.resolve(new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu"));
        assertEquals(bin.resolve("gcc"), c.path(), "the masquerade link to distcc is skipped");
        r.resolve(new CompilerSpec("gcc", "12.2.0", "x86_64-linux-gnu"));
        assertEquals(2, probes.size(), "-dumpfullversion and -dumpmachine, once per binary");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sh", "/bin/sh", "/bin/sh -c 'id'", "../bin/gcc", "bin/../gcc", "gcc/../sh", "..",
        "-gcc", ".gcc", "gcc;id", "gcc\n", ""})
    void namesOutsideTheWhitelistAreRefused(String name) {
        Refusal e = assertThrows(Refusal.class,
                () -> resolver(whitelist).resolve(new CompilerSpec(name, "12.2.0", "x86_64-linux-gnu")));
        assertEquals(ErrorCode.COMPILER_NOT_ALLOWED, e.code(), e.getMessage());
        assertTrue(probes.isEmpty(), "nothing runs for a refused name");
    }

    @Test
    void withoutWhitelistAnyBareNameOnThePathRunsButNeverAPath() throws Exception {
        assertEquals(bin.resolve("sh"),
                resolver(null).resolve(new CompilerSpec("sh", "12.2.0", "x86_64-linux-gnu")).path());
        assertEquals(ErrorCode.COMPILER_NOT_ALLOWED, assertThrows(Refusal.class,
                () -> resolver(null).resolve(new CompilerSpec("/bin/sh", "12.2.0", "x86_64-linux-gnu"))).code());
    }

    @Test
    void whitelistedButAbsentIsMissing() {
        Refusal e = assertThrows(Refusal.class,
                () -> resolver(whitelist).resolve(new CompilerSpec("cc", "12.2.0", "x86_64-linux-gnu")));
        assertEquals(ErrorCode.COMPILER_MISSING, e.code());
    }

    @Test
    void versionOrTargetMismatchSaysWhatTheNodeHas() {
        Refusal e = assertThrows(Refusal.class,
                () -> resolver(whitelist).resolve(new CompilerSpec("gcc", "13.1", "x86_64-linux-gnu")));
        assertEquals(ErrorCode.COMPILER_MISMATCH, e.code());
        assertEquals("node has gcc 12.2.0 x86_64-linux-gnu, client asked for gcc 13.1 x86_64-linux-gnu",
                e.getMessage());
        assertEquals(ErrorCode.COMPILER_MISMATCH, assertThrows(Refusal.class,
                () -> resolver(whitelist).resolve(new CompilerSpec("gcc", "12.2.0", "aarch64-linux-gnu"))).code());
    }
}
