package cache.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes with different gcc identities: the second refuses what the first serves, with a loggable reason. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompilerIdentityIT {

    @TempDir
    Path dir;

    @Test
    void aNodeWithAnotherGccVersionRefuses() throws Exception {
        CompilerSpec real = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        Digest key = NodeFixture.key("identity");
        Path whitelist = NodeFixture.whitelist(dir, "gcc");
        Path fakeBin = dir.resolve("other-bin");
        NodeFixture.fakeCompiler(fakeBin, "gcc", "13.1.0", real.target(), null);
        List<Path> otherPath = new ArrayList<>(List.of(fakeBin));
        otherPath.addAll(NodeConfig.defaultSearchPath());

        try (CachedNode first = CachedNode.start(NodeFixture.config(dir.resolve("a"), whitelist, 1));
                CachedNode second = CachedNode.start(
                        NodeFixture.config(dir.resolve("b"), whitelist, 1).searchPath(otherPath));
                NodeClient a = NodeFixture.connect(first);
                NodeClient b = NodeFixture.connect(second)) {
            assertEquals(0, NodeClient.decode(a.compile(key, real, "cpp-output", List.of(), input).get().entry())
                    .exitCode());

            ExecutionException probe = assertThrows(ExecutionException.class, () -> b.probe(key, real).get());
            NodeClient.NodeException refused = assertInstanceOf(NodeClient.NodeException.class, probe.getCause());
            assertEquals(ErrorCode.COMPILER_MISMATCH, refused.code());
            assertTrue(refused.getMessage().contains("node has gcc 13.1.0 " + real.target()
                    + ", client asked for gcc " + real.version()), refused.getMessage());

            ExecutionException compile = assertThrows(ExecutionException.class,
                    () -> b.compile(key, real, "cpp-output", List.of(), input).get());
            assertEquals(ErrorCode.COMPILER_MISMATCH, ((NodeClient.NodeException) compile.getCause()).code());

            CompilerSpec asked13 = new CompilerSpec("gcc", "13.1.0", real.target());
            ExecutionException onFirst = assertThrows(ExecutionException.class, () -> a.probe(key, asked13).get());
            assertEquals(ErrorCode.COMPILER_MISMATCH, ((NodeClient.NodeException) onFirst.getCause()).code());

            assertEquals(2L, b.stats().get().get("refused_compiler_mismatch"));
            assertTrue(a.probe(key, real).get().hit(), "the first node still serves its own compiler's result");
        }
    }
}
