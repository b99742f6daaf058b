package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mock over HTTPS: a self-signed certificate for localhost that clients trust through the exposed store. */
class MockTlsTest {

    private static final String MESSAGE =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults().withTls(true));
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/json")
                .header("x-api-key", "sk-test")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static HttpClient client(SSLContext ssl) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .build();
    }

    private static SSLContext trusting(MockUpstream.TrustStore store) throws Exception {
        KeyStore ks = KeyStore.getInstance(store.type());
        try (InputStream in = Files.newInputStream(store.path())) {
            ks.load(in, store.password().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void servesHttpsOnLocalhostTrustedThroughTheExposedTrustStore() throws Exception {
        assertThat(mock.tls()).isTrue();
        assertThat(mock.baseUrl()).isEqualTo("https://localhost:" + mock.port());
        HttpClient http = client(trusting(mock.trustStore()));
        HttpResponse<String> r =
                http.send(post(mock.baseUrl() + "/v1/messages", MESSAGE), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"type\":\"message\"");

        mock.oauth().seedRefreshToken("sk-ant-ort01-tls");
        HttpResponse<String> token = http.send(
                post(
                        mock.baseUrl() + "/v1/oauth/token",
                        "{\"grant_type\":\"refresh_token\",\"refresh_token\":\"sk-ant-ort01-tls\",\"client_id\":\"c\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as("token endpoints over TLS too").isEqualTo(200);
    }

    @Test
    void theClientSslContextTrustsTheMockToo() throws Exception {
        HttpResponse<String> r = client(mock.clientSslContext())
                .send(post(mock.baseUrl() + "/v1/messages", MESSAGE), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void aClientWithTheDefaultTrustStoreRefusesTheCertificate() throws Exception {
        int before = mock.exchanges().size();
        HttpClient http = client(SSLContext.getDefault());
        assertThatThrownBy(() ->
                        http.send(post(mock.baseUrl() + "/v1/messages", MESSAGE), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        assertThat(mock.exchanges()).as("no request got through").hasSize(before);
    }

    @Test
    void plainHttpIsNotServedOnTheTlsPort() {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThatThrownBy(() -> http.send(
                        post("http://127.0.0.1:" + mock.port() + "/v1/messages", MESSAGE),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void thePemIsTheServedCertificateForLocalhostAndLoopback() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(mock.certificatePem())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(Files.readString(mock.certificatePem())).startsWith("-----BEGIN CERTIFICATE-----\n");
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=localhost");
        List<String> names = new ArrayList<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            names.add(san.get(0) + ":" + san.get(1));
        }
        // GeneralName types (RFC 5280 §4.2.1.6): 2 = dNSName, 7 = iPAddress.
        assertThat(names).contains("2:localhost", "7:127.0.0.1");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(mock.trustStore().path())) {
            trust.load(in, mock.trustStore().password().toCharArray());
        }
        assertThat(trust.getCertificate(MockTls.ALIAS)).isEqualTo(cert);
        assertThat(trust.isKeyEntry(MockTls.ALIAS))
                .as("the trust store has no private key")
                .isFalse();
    }

    @Test
    void tlsAccessorsThrowWhenTlsIsOff() {
        try (MockUpstream plain = MockUpstream.start(MockOptions.defaults())) {
            assertThat(plain.tls()).isFalse();
            assertThat(plain.baseUrl()).startsWith("http://127.0.0.1:");
            assertThatThrownBy(plain::trustStore)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("TLS is off");
            assertThatThrownBy(plain::certificatePem).isInstanceOf(IllegalStateException.class);
        }
    }
}
