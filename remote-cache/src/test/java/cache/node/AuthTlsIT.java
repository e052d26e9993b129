package cache.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cache.hashing.Digest;
import cache.node.client.NodeClient;
import cache.node.protocol.NodeProtocol;
import cache.node.protocol.NodeProtocol.CompilerSpec;
import cache.node.protocol.NodeProtocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shared-secret authentication (HMAC challenge) and TLS, with a self-signed certificate made by keytool. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthTlsIT {

    private static final byte[] SECRET = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void onlyTheRightSecretGetsServed() throws Exception {
        Path secretFile = dir.resolve("secret");
        Files.writeString(secretFile, new String(SECRET, StandardCharsets.UTF_8) + "\n");
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1)
                .authSecret(CachedMain.readSecret(secretFile));
        try (CachedNode node = CachedNode.start(config)) {
            NodeClient.NodeException wrong = assertThrows(NodeClient.NodeException.class,
                    () -> NodeFixture.connect(node, new NodeClient.Options().authSecret("guess".getBytes())));
            assertEquals(ErrorCode.AUTH_FAILED, wrong.code());

            NodeClient.NodeException none = assertThrows(NodeClient.NodeException.class,
                    () -> NodeFixture.connect(node));
            assertEquals(ErrorCode.AUTH_REQUIRED, none.code());

            try (RawConnection raw = new RawConnection(node.address())) {
                raw.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "skipper")));
                NodeProtocol.Welcome w = assertInstanceOf(NodeProtocol.Welcome.class, raw.read());
                assertEquals(NodeProtocol.NONCE_BYTES, w.nonce().length);
                raw.write(RawConnection.frame(new NodeProtocol.Stats(2)));
                assertEquals(ErrorCode.AUTH_REQUIRED, ((NodeProtocol.Error) raw.read()).code());
                assertNull(raw.read());
            }

            try (RawConnection raw = new RawConnection(node.address())) {
                raw.write(RawConnection.frame(new NodeProtocol.Hello(1, 1, 1, "replayer")));
                NodeProtocol.Welcome w = (NodeProtocol.Welcome) raw.read();
                byte[] otherNonce = w.nonce().clone();
                otherNonce[0] ^= 1;
                raw.write(RawConnection.frame(new NodeProtocol.Auth(2, NodeProtocol.Auth.mac(SECRET, otherNonce))));
                assertEquals(ErrorCode.AUTH_FAILED, ((NodeProtocol.Error) raw.read()).code(),
                        "an answer to another challenge is refused");
            }

            try (NodeClient ok = NodeFixture.connect(node, new NodeClient.Options().authSecret(SECRET))) {
                assertSmallCompileWorks(ok);
                assertEquals(2L, ok.stats().get().get("refused_auth_failed"));
                assertEquals(1L, ok.stats().get().get("refused_auth_required"));
            }
        }
    }

    @Test
    void tlsWithAPinnedCertificateAndASecret() throws Exception {
        Path[] pem = selfSigned(dir.resolve("node"));
        Path[] other = selfSigned(dir.resolve("other"));
        NodeConfig config = NodeFixture.config(dir, NodeFixture.whitelist(dir, "gcc"), 1)
                .tlsCert(pem[0]).tlsKey(pem[1]).authSecret(SECRET);
        try (CachedNode node = CachedNode.start(config)) {
            try (NodeClient c = NodeFixture.connect(node,
                    new NodeClient.Options().tls(pem[0]).authSecret(SECRET))) {
                assertSmallCompileWorks(c);
            }
            assertThrows(IOException.class, () -> NodeFixture.connect(node,
                    new NodeClient.Options().tls(other[0]).authSecret(SECRET)), "an untrusted node certificate");
            assertThrows(IOException.class, () -> NodeFixture.connect(node,
                    new NodeClient.Options().authSecret(SECRET)), "plain text to a TLS node");
            try (NodeClient c = NodeFixture.connect(node,
                    new NodeClient.Options().tls(pem[0]).authSecret(SECRET))) {
                assertTrue(c.stats().get().get("refused_tls") >= 1);
            }
        }
    }

    private void assertSmallCompileWorks(NodeClient c) throws Exception {
        CompilerSpec gcc = NodeFixture.spec("gcc");
        byte[] input = NodeFixture.preprocess(dir, "gcc", NodeFixture.SMALL_C);
        Digest key = NodeFixture.key("auth-tls");
        byte[] entry = c.compile(key, gcc, "cpp-output", List.of("-O2"), input).get().entry();
        assertEquals(0, NodeClient.decode(entry).exitCode());
        assertArrayEquals(entry, c.probe(key, gcc).get().entry());
    }

    /** {@link TestCertificates#selfSigned}. */
    static Path[] selfSigned(Path dir) throws Exception {
        return TestCertificates.selfSigned(dir);
    }
}
