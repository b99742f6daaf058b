package io.relaygate.bench.mock;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.relaygate.core.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The mock's TLS material: one self-signed EC certificate per JVM for {@code CN=localhost} with SubjectAltNames
 * {@code DNS:localhost} and {@code IP:127.0.0.1}, so that clients verifying the host name accept it, made once by the
 * JDK's own {@code keytool} (Netty's {@code SelfSignedCertificate} wants BouncyCastle or JDK internals; the mock adds
 * no dependency for it). The files live in a temp folder removed when the JVM exits.
 */
final class MockTls {

    static final String ALIAS = "relaygate-mock";
    /** The trust store holds only the public certificate, so its password is no secret. */
    static final String TRUST_STORE_PASSWORD = "relaygate-mock";

    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;
    private static @Nullable MockTls shared;

    private final X509Certificate certificate;
    private final Path certificatePem;
    private final Path trustStore;
    private final SslContext serverContext;
    private final SslContext alpnServerContext;

    private MockTls(PrivateKey key, X509Certificate certificate, Path certificatePem, Path trustStore)
            throws IOException {
        this.certificate = certificate;
        this.certificatePem = certificatePem;
        this.trustStore = trustStore;
        this.serverContext = SslContextBuilder.forServer(key, certificate)
                .sslProvider(SslProvider.JDK)
                .build();
        this.alpnServerContext = SslContextBuilder.forServer(key, certificate)
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2,
                        ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** The JVM's TLS material, made on first use (a second or so for {@code keytool}). */
    static synchronized MockTls shared() {
        MockTls tls = shared;
        if (tls == null) {
            try {
                tls = generate();
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("mock upstream: cannot make a self-signed certificate: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("mock upstream: interrupted while making a certificate", e);
            }
            shared = tls;
        }
        return tls;
    }

    SslContext serverContext() {
        return serverContext;
    }

    /** With {@code alpn}: a context whose ALPN offers {@code h2} and {@code http/1.1}; else one without ALPN. */
    SslContext serverContext(boolean alpn) {
        return alpn ? alpnServerContext : serverContext;
    }

    X509Certificate certificate() {
        return certificate;
    }

    Path certificatePem() {
        return certificatePem;
    }

    Path trustStore() {
        return trustStore;
    }

    /** A client context that trusts this certificate only. */
    SSLContext clientContext() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("mock upstream: cannot build a client SSLContext: " + e, e);
        }
    }

    private static MockTls generate() throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = Files.createTempDirectory("relaygate-mock-tls");
        // Registered first, deleted last (deleteOnExit runs in reverse order).
        dir.toFile().deleteOnExit();
        Path keyStore = dir.resolve("server.p12");
        Path log = dir.resolve("keytool.log");
        Path pem = dir.resolve("mock-upstream.pem");
        Path trust = dir.resolve("mock-upstream-trust.p12");
        for (Path p : List.of(keyStore, log, pem, trust)) {
            p.toFile().deleteOnExit();
        }
        String password = Ids.random(24);
        boolean windows =
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", windows ? "keytool.exe" : "keytool");
        Process process = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        ALIAS,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-sigalg",
                        "SHA256withECDSA",
                        "-dname",
                        "CN=localhost, O=Relaygate mock upstream",
                        "-ext",
                        "SAN=dns:localhost,ip:127.0.0.1",
                        "-validity",
                        "30",
                        "-keystore",
                        keyStore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        password,
                        "-keypass",
                        password,
                        "-noprompt")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(keytool + " did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(keytool + " exited with " + process.exitValue() + ": "
                    + Files.readString(log, StandardCharsets.UTF_8).trim());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, password.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(ALIAS, password.toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate(ALIAS);
        // The private key is needed only in memory.
        Files.delete(keyStore);

        String encoded = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded());
        Files.writeString(
                pem,
                "-----BEGIN CERTIFICATE-----\n" + encoded + "\n-----END CERTIFICATE-----\n",
                StandardCharsets.US_ASCII);

        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry(ALIAS, cert);
        try (OutputStream out = Files.newOutputStream(trust)) {
            ts.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        return new MockTls(key, cert, pem, trust);
    }
}
