package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** The device sign-in of a person, over HTTP as Claude Code does it, approved with the operator's one-time link. */
final class DeviceSignIn {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DeviceSignIn() {}

    /** A form POST as Claude Code sends it; a 200 answer (which carries the secrets it issues) is not scanned. */
    static HttpResponse<byte[]> form(GatewayHarness gw, String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("user-agent", "claude-code/2.1.330")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<byte[]> answer = gw.http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        return answer.statusCode() == 200 ? answer : GatewayHarness.recorded(answer);
    }

    /** Starts a device authorization; returns its answer, the device code registered as a secret. */
    static JsonNode startDevice(GatewayHarness gw) throws Exception {
        HttpResponse<byte[]> r = form(gw, "/oauth/device_authorization", "surface=claude_code");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        JsonNode d = JSON.readTree(r.body());
        SuiteSecretScan.secret(d.path("device_code").asText());
        return d;
    }

    static HttpResponse<byte[]> poll(GatewayHarness gw, String deviceCode) throws Exception {
        return form(
                gw,
                "/oauth/token",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" + deviceCode);
    }

    /** A one-time sign-in link for {@code name}, registered as a secret. */
    static String link(GatewayHarness gw, String name) {
        String link = new PeopleAdmin(gw.store, Clock.systemUTC())
                .link(name, Duration.ofHours(1), gw.baseUrl())
                .toCompletableFuture()
                .join();
        SuiteSecretScan.secret(link.substring(link.indexOf("rgl_")));
        return link;
    }

    static HttpResponse<byte[]> approve(GatewayHarness gw, String link, String userCode) throws Exception {
        String secret = link.substring(link.indexOf("link=") + 5);
        return gw.post(
                "/device/approve",
                JSON.createObjectNode()
                        .put("link", secret)
                        .put("user_code", userCode)
                        .toString(),
                "authorization",
                "none");
    }

    /** Signs {@code name} in as Claude Code would; returns the token answer, its tokens registered as secrets. */
    static JsonNode signIn(GatewayHarness gw, String name) throws Exception {
        JsonNode d = startDevice(gw);
        assertThat(approve(gw, link(gw, name), d.path("user_code").asText()).statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> t = poll(gw, d.path("device_code").asText());
        assertThat(t.statusCode())
                .as(new String(t.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        JsonNode tokens = JSON.readTree(t.body());
        SuiteSecretScan.secret(tokens.path("access_token").asText());
        SuiteSecretScan.secret(tokens.path("refresh_token").asText());
        return tokens;
    }
}
