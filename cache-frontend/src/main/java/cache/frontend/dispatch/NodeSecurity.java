package cache.frontend.dispatch;

import cache.distributor.Farm;
import cache.hashing.Hashing;
import cache.node.SharedSecret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the daemon's farm authenticates to its {@code cached} nodes and encrypts, from the call's
 * environment (read where the host list is read, per call, so that a build's own settings
 * apply):
 *
 * <ul>
 *   <li>{@code CACHE_NODE_SECRET_FILE}: the file of the shared secret the nodes were started
 *       with ({@code cached --auth-secret-file}); the farm answers their challenge with it.
 *   <li>{@code CACHE_NODE_TLS_CERT}: speak TLS, trusting the certificates in this PEM file (the
 *       nodes' own, or the authority that signed them).
 *   <li>{@code CACHE_NODE_TLS=1}: speak TLS trusting any node certificate: encryption without
 *       authenticating the node, so only together with a secret (which authenticates the
 *       client, and which a node must know to be answered).
 * </ul>
 *
 * A setting that cannot be used (an unreadable or empty secret file, a certificate file that is
 * not there, TLS trusting anyone without a secret) keeps the call's compile here, counted
 * ({@code kept_local_node_security}), never a build sent in the clear by mistake. distccd hosts
 * in the same list know neither (distcc's protocol has no such thing): a node that requires a
 * secret or TLS closes distcc's connections, and a distccd is reached without them.
 */
record NodeSecurity(byte[] secret, boolean tls, Path trustCert) {

    static final String SECRET_FILE = "CACHE_NODE_SECRET_FILE";
    static final String TLS_CERT = "CACHE_NODE_TLS_CERT";
    static final String TLS = "CACHE_NODE_TLS";

    static final NodeSecurity NONE = new NodeSecurity(null, false, null);

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(NodeSecurity.class.getName());
    /** Secret files warned about (readable by others): once each, not per call. */
    private static final java.util.Set<Path> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The settings in {@code env}; throws with a message for the user when they cannot be used. */
    static NodeSecurity of(Map<String, String> env) throws IOException {
        String secretFile = blankToNull(env.get(SECRET_FILE));
        String cert = blankToNull(env.get(TLS_CERT));
        String tlsFlag = blankToNull(env.get(TLS));
        boolean tls = cert != null || isTrue(tlsFlag);
        if (secretFile == null && !tls) {
            return NONE;
        }
        byte[] secret = null;
        if (secretFile != null) {
            try {
                Path file = Path.of(secretFile);
                secret = SharedSecret.readQuietly(file); // read per call: an edited file is used at once
                if (SharedSecret.readableByOthers(file) && WARNED.add(file)) {
                    LOG.warning("shared secret file " + file + " (" + SECRET_FILE + ") is readable by others; chmod 600 it");
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                throw new IOException(SECRET_FILE + "=" + secretFile + " cannot be used: " + e.getMessage(), e);
            }
        }
        Path trust = null;
        if (cert != null) {
            trust = Path.of(cert);
            if (!Files.isReadable(trust)) {
                throw new IOException(TLS_CERT + "=" + cert + " is not a readable file");
            }
        } else if (tls && secret == null) {
            throw new IOException(TLS + "=" + tlsFlag + " trusts any node certificate, which only a shared secret"
                    + " makes safe: set " + SECRET_FILE + " too, or " + TLS_CERT + " to the nodes' certificates");
        }
        return new NodeSecurity(secret, tls, trust);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static boolean isTrue(String s) {
        return s != null && !s.equals("0") && !s.equalsIgnoreCase("false") && !s.equalsIgnoreCase("no")
                && !s.equalsIgnoreCase("off");
    }

    /** {@code options} with these settings. */
    Farm.Options applyTo(Farm.Options options) {
        return this == NONE ? options : options.secured(secret, tls, trustCert);
    }

    /**
     * What tells one farm's settings from another's (part of the farm's key): the secret's
     * digest, never the secret, and the TLS settings.
     */
    String describe() {
        String s = secret == null ? "no secret" : "secret " + Hashing.xxh3_64(secret, 0, secret.length);
        return s + (tls ? ", tls trusting " + (trustCert == null ? "any" : trustCert.toString()) : ", no tls");
    }
}
