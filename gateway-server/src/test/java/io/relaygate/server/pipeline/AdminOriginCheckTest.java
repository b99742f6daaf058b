package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class AdminOriginCheckTest {

    private static HttpHeaders headers(String... nameValue) {
        HttpHeaders h = new DefaultHttpHeaders().set("host", "gw.example:8080");
        for (int i = 0; i < nameValue.length; i += 2) {
            h.set(nameValue[i], nameValue[i + 1]);
        }
        return h;
    }

    @Test
    void writesFromAnotherSiteOrASiblingSubdomainAreRefused() {
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("sec-fetch-site", "cross-site")))
                .isEqualTo("Sec-Fetch-Site: cross-site");
        assertThat(AdminOriginCheck.refusal(HttpMethod.DELETE, headers("sec-fetch-site", "same-site")))
                .isEqualTo("Sec-Fetch-Site: same-site");
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("origin", "https://evil.example")))
                .isEqualTo("Origin evil.example is not this host");
        assertThat(AdminOriginCheck.refusal(HttpMethod.PUT, headers("origin", "http://gw.example:9090")))
                .as("another port is another origin")
                .isNotNull();
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("origin", "null")))
                .as("sandboxed frames and file: pages send Origin: null")
                .isEqualTo("Origin null is not this host");
        assertThat(AdminOriginCheck.refusal(
                        HttpMethod.POST, headers("sec-fetch-site", "cross-site", "origin", "http://gw.example:8080")))
                .as("Fetch Metadata wins over a matching Origin")
                .isNotNull();
    }

    @Test
    void theGatewaysOwnOriginScriptsAndReadsPass() {
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("origin", "http://GW.example:8080")))
                .isNull();
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("sec-fetch-site", "same-origin")))
                .isNull();
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers("sec-fetch-site", "none")))
                .as("typed into the address bar")
                .isNull();
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, headers()))
                .as("curl, the CLI: no browser, no ambient credentials")
                .isNull();
        assertThat(AdminOriginCheck.refusal(HttpMethod.GET, headers("sec-fetch-site", "cross-site")))
                .isNull();
        HttpHeaders defaultPort =
                new DefaultHttpHeaders().set("host", "gw.example").set("origin", "https://gw.example:443");
        assertThat(AdminOriginCheck.refusal(HttpMethod.POST, defaultPort))
                .as("a default port written out")
                .isNull();
    }
}
