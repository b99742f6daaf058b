package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.Cidr;
import io.relaygate.server.signin.PeopleAdmin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The security log's sign-in audit, behind a trusted proxy: every step of a sign-in (device code, approval, tokens,
 * refresh, sign-out) and every refusal names the person where there is one, the client's own address (not the
 * proxy's) and the client's version (its {@code User-Agent}), and no line holds a token, a device code or a link.
 */
class SignInAuditIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLAUDE = "claude-cli/2.1.330 (external, cli)";
    private static final String CLIENT = "203.0.113.50";
    private static final String BROWSER = "203.0.113.51";

    private static HttpResponse<byte[]> send(GatewayHarness gw, String path, String type, String body, String from)
            throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + path))
                .timeout(GatewayHarness.WAIT)
                .header("content-type", type)
                .header("user-agent", path.startsWith("/device") ? "Mozilla/5.0 (audit test)" : CLAUDE)
                .header("x-forwarded-for", from)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        // answers carry secrets (tokens, device codes): not recorded for the suite's scan, registered below
        return gw.http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode form(GatewayHarness gw, String path, String body, int status) throws Exception {
        HttpResponse<byte[]> r = send(gw, path, "application/x-www-form-urlencoded", body, CLIENT);
        assertThat(r.statusCode()).as(path + " " + new String(r.body())).isEqualTo(status);
        return r.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private static JsonNode deviceToken(GatewayHarness gw, JsonNode device, int status) throws Exception {
        return form(
                gw,
                "/oauth/token",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code="
                        + device.path("device_code").asText(),
                status);
    }

    private static String line(ListAppender<ILoggingEvent> lines, String contains) throws InterruptedException {
        // refreshes and sign-outs are logged once the person's name is read, just after the answer
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> now = messages(lines);
            for (String l : now) {
                if (l.contains(contains)) {
                    return l;
                }
            }
            assertThat(System.nanoTime() < deadline)
                    .as("a security log line with " + contains + " in " + now)
                    .isTrue();
            Thread.sleep(20);
        }
    }

    private static List<String> messages(ListAppender<ILoggingEvent> lines) {
        synchronized (lines) {
            return new ArrayList<>(
                    lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        }
    }

    @Test
    void eachSignInStepNamesWhoFromWhereAndWhichClientVersionAndNoSecret() throws Exception {
        Logger security = (Logger) LoggerFactory.getLogger("io.relaygate.security");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        security.addAppender(lines);
        List<String> secrets = new ArrayList<>();
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c -> c.withServer(c.server().withTrustedProxies(List.of(Cidr.parse("127.0.0.1/32")), false)))
                .start()) {
            PeopleAdmin admin = new PeopleAdmin(gw.store, Clock.systemUTC());
            admin.add("kim", "kim@example.com", null, List.of("dev"), KeyRules.NONE)
                    .toCompletableFuture()
                    .join();
            String link = admin.link("kim", Duration.ofHours(1), gw.baseUrl())
                    .toCompletableFuture()
                    .join();
            String linkSecret = link.substring(link.indexOf("link=") + 5);
            secrets.add(linkSecret);

            JsonNode device = form(gw, "/oauth/device_authorization", "surface=claude_code", 200);
            secrets.add(device.path("device_code").asText());
            assertThat(line(lines, "device code requested"))
                    .contains("from " + CLIENT)
                    .contains("\"" + CLAUDE + " surface=claude_code\"");

            HttpResponse<byte[]> approved = send(
                    gw,
                    "/device/approve",
                    "application/json",
                    "{\"link\":\"" + linkSecret + "\",\"user_code\":\""
                            + device.path("user_code").asText() + "\"}",
                    BROWSER);
            assertThat(approved.statusCode()).isEqualTo(200);
            assertThat(line(lines, "kim approved the sign-in")).contains("from " + BROWSER);

            JsonNode issued = deviceToken(gw, device, 200);
            secrets.add(issued.path("access_token").asText());
            secrets.add(issued.path("refresh_token").asText());
            assertThat(line(lines, "kim signed in (session"))
                    .contains("from " + CLIENT)
                    .contains("\"" + CLAUDE);

            JsonNode refreshed = form(
                    gw,
                    "/oauth/token",
                    "grant_type=refresh_token&refresh_token="
                            + issued.path("refresh_token").asText(),
                    200);
            secrets.add(refreshed.path("access_token").asText());
            secrets.add(refreshed.path("refresh_token").asText());
            assertThat(line(lines, "kim refreshed")).contains("from " + CLIENT).contains("\"" + CLAUDE + "\"");

            form(
                    gw,
                    "/oauth/token",
                    "grant_type=refresh_token&refresh_token="
                            + issued.path("refresh_token").asText(),
                    401);
            assertThat(line(lines, "refused a refresh"))
                    .contains("from " + CLIENT)
                    .contains("\"" + CLAUDE + "\"");

            form(gw, "/oauth/revoke", "token=" + refreshed.path("access_token").asText(), 200);
            assertThat(line(lines, "kim signed out")).contains("from " + CLIENT).contains("\"" + CLAUDE + "\"");

            deviceToken(gw, device, 400);
            assertThat(line(lines, "refused tokens from"))
                    .contains(CLIENT)
                    .contains("\"" + CLAUDE + "\"")
                    .endsWith("expired_token");

            secrets.forEach(SuiteSecretScan::secret);
            List<String> all = messages(lines);
            for (String secret : secrets) {
                assertThat(secret).hasSizeGreaterThan(10);
                assertThat(all).as("no token, code or link in the security log").noneMatch(l -> l.contains(secret));
            }
            assertThat(all.stream().filter(l -> l.startsWith("sign-in:")))
                    .as("the client behind the proxy, never the proxy")
                    .noneMatch(l -> l.contains("127.0.0.1"));
        } finally {
            security.detachAppender(lines);
        }
    }
}
