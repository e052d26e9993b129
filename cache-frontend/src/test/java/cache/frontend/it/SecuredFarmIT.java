package cache.frontend.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.node.TestCertificates;
import cache.node.client.NodeClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's farm against real {@code cached} nodes that require a shared secret, one of them
 * over TLS (a self-signed certificate the build trusts): builds through {@code cache} with the
 * node settings in the environment ({@code CACHE_NODE_SECRET_FILE}, {@code CACHE_NODE_TLS_CERT})
 * are compiled on the nodes and answered by their caches, byte for byte as plain gcc; without
 * the secret the nodes refuse and the build compiles here; a setting that cannot be used keeps
 * the calls here, counted. Loopback only (127.0.0.6, 127.0.0.7).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecuredFarmIT {

    private static final int FILES = 4;

    @TempDir
    static Path tmp;

    private NodeProcess secretNode;
    private NodeProcess tlsNode;
    private Path secretFile;
    private Path cert;
    private Path project;

    @BeforeAll
    void startNodes() throws Exception {
        secretFile = tmp.resolve("farm.secret");
        Files.writeString(secretFile, "a long shared secret of the farm\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        byte[] secret = "a long shared secret of the farm".getBytes(StandardCharsets.UTF_8);
        Path[] pem = TestCertificates.selfSigned(tmp.resolve("tls"));
        cert = pem[0];
        secretNode = NodeProcess.start("127.0.0.6", Files.createDirectories(tmp.resolve("node-secret")), 2, null,
                List.of("--auth-secret-file", secretFile.toString()), new NodeClient.Options().authSecret(secret));
        tlsNode = NodeProcess.start("127.0.0.7", Files.createDirectories(tmp.resolve("node-tls")), 2, null,
                List.of("--auth-secret-file", secretFile.toString(), "--tls-cert", pem[0].toString(), "--tls-key",
                        pem[1].toString()),
                new NodeClient.Options().authSecret(secret).tls(cert));
        project = Files.createDirectories(tmp.resolve("project"));
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (NodeProcess n : List.of(secretNode, tlsNode)) {
            if (n != null) {
                n.stop();
                System.out.println("--- " + n + " log ---\n" + n.log());
            }
        }
    }

    /** {@code FILES} new sources named after {@code prefix}, old enough for direct mode. */
    private List<String> sources(String prefix) throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            String name = prefix + i + ".c";
            Path p = project.resolve(name);
            Files.writeString(p, "#include <string.h>\nint " + prefix + i + "(const char *s) { return (int)strlen(s) * "
                    + (i + 3) + "; }\n");
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(600)));
            names.add(name);
        }
        return names;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    @Test
    void withTheSecretABuildIsCompiledOnASecretNodeAndAnsweredByItsCacheAfter() throws Exception {
        farmBuild(secretNode, Map.of("CACHE_NODE_SECRET_FILE", secretFile.toString()), "s");
    }

    @Test
    void withTheSecretAndTheCertificateABuildIsCompiledOnATlsNodeAndAnsweredByItsCacheAfter() throws Exception {
        farmBuild(tlsNode, Map.of("CACHE_NODE_SECRET_FILE", secretFile.toString(),
                "CACHE_NODE_TLS_CERT", cert.toString()), "t");
    }

    /** A cold build compiled on {@code node}, then a build from an empty local cache all node hits. */
    private void farmBuild(NodeProcess node, Map<String, String> settings, String prefix) throws Exception {
        List<String> sources = sources(prefix);
        Map<String, byte[]> expected = ParallelBuild.plainGcc(project, sources, "-O2");
        Map<String, Long> before = node.stats();
        Map<String, Long> cold = build(node, settings, "cold-" + prefix, sources, expected);
        assertEquals(FILES, cold.getOrDefault("remote_compile", 0L), "compiled on the node: " + cold);
        Map<String, Long> afterCold = node.stats();
        assertEquals(FILES, delta(before, afterCold, "compiles_ok"), "the node says it compiled them: " + afterCold);

        Map<String, Long> again = build(node, settings, "again-" + prefix, sources, expected);
        assertEquals(FILES, again.getOrDefault("node_hit", 0L), "answered by the node's cache: " + again);
        Map<String, Long> afterHits = node.stats();
        assertEquals(0L, delta(afterCold, afterHits, "compiles_ok"), "nothing compiled again: " + afterHits);
        assertEquals(FILES, delta(afterCold, afterHits, "node_hits"), "the node counts its hits: " + afterHits);
    }

    /** {@code sources} built through a new cache directory {@code dir} with {@code settings}; its counters. */
    private Map<String, Long> build(NodeProcess node, Map<String, String> settings, String dir, List<String> sources,
            Map<String, byte[]> expected) throws Exception {
        try (CacheFixture cache = CacheFixture.distributing(tmp.resolve(dir), node.hostEntry(2))) {
            cache.env.putAll(settings);
            ParallelBuild.build(cache, project, sources, "-O2", expected, dir + " through " + node, 2);
            return cache.stats();
        }
    }

    @Test
    void withoutTheSecretTheNodesRefuseAndTheBuildCompilesHere() throws Exception {
        List<String> sources = sources("n");
        Map<String, byte[]> expected = ParallelBuild.plainGcc(project, sources, "-O2");
        Map<String, Long> before = secretNode.stats();
        Map<String, Long> client = build(secretNode, Map.of(), "no-secret", sources, expected);
        assertEquals(0L, client.getOrDefault("remote_compile", 0L) + client.getOrDefault("node_hit", 0L),
                "nothing served by a node that refuses us: " + client);
        assertTrue(client.getOrDefault("builder_failed", 0L) > 0, "the refusal is counted: " + client);
        assertEquals(0L, delta(before, secretNode.stats(), "compiles_ok"), "the node compiled nothing");
    }

    @Test
    void anUnreadableSecretFileKeepsEveryCallHereCounted() throws Exception {
        List<String> sources = sources("u");
        Map<String, byte[]> expected = ParallelBuild.plainGcc(project, sources, "-O2");
        Map<String, Long> before = secretNode.stats();
        Map<String, Long> client = build(secretNode,
                Map.of("CACHE_NODE_SECRET_FILE", tmp.resolve("no-such.secret").toString()), "bad-secret", sources,
                expected);
        assertEquals(FILES, client.getOrDefault("kept_local_node_security", 0L), "counted with its reason: " + client);
        assertEquals(0L, client.getOrDefault("remote_compile", 0L), client.toString());
        Map<String, Long> after = secretNode.stats();
        assertEquals(0L, delta(before, after, "probes") + delta(before, after, "compiles_ok"),
                "no node asked with settings that cannot be used");
    }
}
