package cache.frontend.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The farm's node settings from the environment: what is used, and what keeps a build local. */
class NodeSecurityTest {

    @TempDir
    Path tmp;

    private Path secret() throws IOException {
        return Files.writeString(tmp.resolve("farm.secret"), "  s3cret value \n");
    }

    @Test
    void nothingSetIsNoSecretAndNoTls() throws Exception {
        assertSame(NodeSecurity.NONE, NodeSecurity.of(Map.of()));
        assertSame(NodeSecurity.NONE, NodeSecurity.of(Map.of("CACHE_NODE_TLS", "0", "CACHE_NODE_SECRET_FILE", " ")));
    }

    @Test
    void theSecretIsTheFilesTextWithoutSurroundingWhitespaceAndNeverInTheDescription() throws Exception {
        NodeSecurity s = NodeSecurity.of(Map.of("CACHE_NODE_SECRET_FILE", secret().toString()));
        assertArrayEquals("s3cret value".getBytes(StandardCharsets.UTF_8), s.secret());
        assertFalse(s.tls());
        assertFalse(s.describe().contains("s3cret"), s.describe());
    }

    @Test
    void tlsTrustingAnyCertificateNeedsASecret() throws Exception {
        IOException e = assertThrows(IOException.class, () -> NodeSecurity.of(Map.of("CACHE_NODE_TLS", "1")));
        assertTrue(e.getMessage().contains("CACHE_NODE_SECRET_FILE"), e.getMessage());
        NodeSecurity s = NodeSecurity.of(Map.of("CACHE_NODE_TLS", "yes", "CACHE_NODE_SECRET_FILE", secret().toString()));
        assertTrue(s.tls());
        assertNull(s.trustCert(), "any certificate, with the secret");
    }

    @Test
    void aCertificateTurnsTlsOnAndMustBeReadable() throws Exception {
        Path pem = Files.writeString(tmp.resolve("nodes.pem"), "-----BEGIN CERTIFICATE-----\n");
        NodeSecurity s = NodeSecurity.of(Map.of("CACHE_NODE_TLS_CERT", pem.toString()));
        assertTrue(s.tls());
        assertTrue(pem.equals(s.trustCert()));
        assertThrows(IOException.class, () -> NodeSecurity.of(Map.of("CACHE_NODE_TLS_CERT", tmp.resolve("no.pem").toString())));
    }

    @Test
    void aMissingOrEmptySecretFileIsRefusedWithItsName() throws Exception {
        IOException missing = assertThrows(IOException.class,
                () -> NodeSecurity.of(Map.of("CACHE_NODE_SECRET_FILE", tmp.resolve("none").toString())));
        assertTrue(missing.getMessage().contains("CACHE_NODE_SECRET_FILE="), missing.getMessage());
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertThrows(IOException.class, () -> NodeSecurity.of(Map.of("CACHE_NODE_SECRET_FILE", empty.toString())));
    }
}
