package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.config.Cidr;
import io.relaygate.server.admin.AdminPassword;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The absolute URLs the sign-in hands out (discovery document, verification URI) and the console cookie's
 * {@code Secure}: {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} change them only when a trusted proxy sends
 * them, and {@code server.publicUrl} wins over both.
 */
class PublicOriginIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] FORGED = {
        "x-forwarded-proto", "https", "x-forwarded-host", "attacker.example", "authorization", "none"
    };

    private static JsonNode discovery(GatewayHarness gw) throws Exception {
        HttpResponse<byte[]> r = gw.get("/.well-known/oauth-authorization-server", FORGED);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String verificationUri(GatewayHarness gw) throws Exception {
        // its answer carries a device code, a secret: not recorded for the suite's scan
        HttpResponse<byte[]> r = gw.http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/oauth/device_authorization"))
                        .timeout(GatewayHarness.WAIT)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("x-forwarded-proto", "https")
                        .header("x-forwarded-host", "attacker.example")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("surface=claude_code"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode d = JSON.readTree(r.body());
        SuiteSecretScan.secret(d.path("device_code").asText());
        return d.path("verification_uri").asText();
    }

    private static String loginCookie(GatewayHarness gw) throws Exception {
        gw.store
                .admin()
                .setPasswordHash(AdminPassword.hash("public-origin-password"))
                .toCompletableFuture()
                .join();
        HttpResponse<byte[]> r = gw.post(
                "/admin/login",
                "{\"password\":\"public-origin-password\"}",
                "x-forwarded-proto",
                "https",
                "authorization",
                "none");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("set-cookie").orElseThrow();
    }

    @Test
    void forwardedHeadersFromAnUntrustedClientChangeNothing() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            JsonNode doc = discovery(gw);
            assertThat(doc.path("issuer").asText()).isEqualTo(gw.baseUrl());
            assertThat(doc.path("token_endpoint").asText()).isEqualTo(gw.baseUrl() + "/oauth/token");
            assertThat(doc.toString()).doesNotContain("attacker.example").doesNotContain("https:");
            assertThat(verificationUri(gw)).isEqualTo(gw.baseUrl() + "/device");
            assertThat(loginCookie(gw)).doesNotContain("Secure");
        }
    }

    @Test
    void aTrustedProxysForwardedProtoAndHostMakeTheUrls() throws Exception {
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c -> c.withServer(c.server().withTrustedProxies(List.of(Cidr.parse("127.0.0.1/32")), false)))
                .start()) {
            JsonNode doc = discovery(gw);
            assertThat(doc.path("issuer").asText()).isEqualTo("https://attacker.example");
            assertThat(doc.path("device_authorization_endpoint").asText())
                    .isEqualTo("https://attacker.example/oauth/device_authorization");
            assertThat(verificationUri(gw)).isEqualTo("https://attacker.example/device");
            assertThat(loginCookie(gw)).contains("Secure");
        }
    }

    @Test
    void theConfiguredPublicUrlWinsOverEveryHeader() throws Exception {
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c -> c.withServer(c.server()
                        .withTrustedProxies(List.of(Cidr.parse("127.0.0.1/32")), false)
                        .withPublicUrl("https://relaygate.example.com/")))
                .start()) {
            JsonNode doc = discovery(gw);
            assertThat(doc.path("issuer").asText()).isEqualTo("https://relaygate.example.com");
            assertThat(doc.path("revocation_endpoint").asText())
                    .isEqualTo("https://relaygate.example.com/oauth/revoke");
            assertThat(verificationUri(gw)).isEqualTo("https://relaygate.example.com/device");
            assertThat(loginCookie(gw)).as("the public URL is https").contains("Secure");
        }
    }
}
