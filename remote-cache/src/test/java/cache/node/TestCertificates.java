package cache.node;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;

/** Certificates for tests of TLS nodes (this module's and the daemon's). */
public final class TestCertificates {

    private TestCertificates() {}

    /** keytool makes an RSA key pair and self-signed certificate; written out as PEM (cert, PKCS#8 key). */
    public static Path[] selfSigned(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("node.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        NodeFixture.run(List.of(keytool, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit"), dir);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Key key = ks.getKey("node", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("node");
        Path certPem = dir.resolve("cert.pem");
        Path keyPem = dir.resolve("key.pem");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new Path[] {certPem, keyPem};
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
