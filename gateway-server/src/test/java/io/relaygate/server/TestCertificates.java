package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test certificate authority and leaf certificates it signs, made with the JDK's {@code keytool} (no other tool or
 * library): EC P-256 keys, the CA a self-signed {@code CA:true} root, each leaf for {@code localhost} and
 * {@code 127.0.0.1} (subjectAltName) with {@code serverAuth}. Files are PEM, for nginx and {@code NODE_EXTRA_CA_CERTS}.
 */
final class TestCertificates {

    private static final String PASSWORD = "relaygate-test";

    private final Path dir;
    private final Path store;

    /** The CA's certificate (PEM). */
    final Path ca;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.store = dir.resolve("keys.p12");
        this.ca = dir.resolve("ca.pem");
    }

    /** A leaf certificate and its private key, both PEM, and the certificate's SHA-256 fingerprint (lower-case hex). */
    record Leaf(Path certificate, Path key, String fingerprint) {}

    static TestCertificates create(Path dir) throws Exception {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir);
        c.keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=Relaygate test CA",
                "-ext",
                "bc:c",
                "-ext",
                "ku:c=keyCertSign,cRLSign",
                "-validity",
                "2");
        c.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", c.ca.toString());
        return c;
    }

    /** A new leaf for {@code localhost} signed by the CA, under {@code name}. */
    Leaf leaf(String name) throws Exception {
        Path csr = dir.resolve(name + ".csr");
        Path certificate = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        keytool(
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-validity",
                "2");
        keytool("-certreq", "-alias", name, "-file", csr.toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-infile",
                csr.toString(),
                "-outfile",
                certificate.toString(),
                "-rfc",
                "-validity",
                "2",
                "-ext",
                "san=dns:localhost,ip:127.0.0.1",
                "-ext",
                "eku=serverAuth",
                "-ext",
                "ku:c=digitalSignature");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key privateKey = ks.getKey(name, PASSWORD.toCharArray());
        assertThat(privateKey.getFormat()).isEqualTo("PKCS#8");
        Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
        Certificate leaf = java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(certificate));
        String fingerprint =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded()));
        return new Leaf(certificate, key, fingerprint);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-noprompt",
                "-keystore",
                store.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("keytool.log");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue())
                .as("keytool %s: %s", args[0], Files.readString(out))
                .isZero();
    }
}
