package io.relaygate.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.catalogue.PriceBasis;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.LoggingConfig;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static ExchangeOutcome outcome(String error) {
        return new ExchangeOutcome(
                "req_abc",
                "kid123",
                "alice",
                Route.MESSAGES,
                ClientKind.CLAUDE_CODE,
                "claude-haiku-4-5",
                "acc_1",
                "team-openai",
                "gpt-4o-mini",
                200,
                529,
                ExchangeOutcome.End.COMPLETED,
                new Usage(120, 30, 5, 400),
                812,
                95,
                1_234,
                PriceBasis.ESTIMATED,
                "gpt-4o-mini",
                null,
                false,
                java.util.Set.of(),
                null,
                "2.1.330",
                true,
                7,
                2,
                error,
                "203.0.113.7",
                List.of(
                        new ExchangeOutcome.Attempt("acc_0", "team-anthropic", 529, 40, Usage.ZERO, "overloaded"),
                        new ExchangeOutcome.Attempt(
                                "acc_1", "team-openai", 200, 760, new Usage(120, 30, 5, 400), null)),
                List.of("team-anthropic", "team-openai"));
    }

    /** A request AUTH refused for having no key: no key, no account, no model. */
    private static ExchangeOutcome noKey() {
        return new ExchangeOutcome(
                "req_nokey",
                null,
                null,
                Route.MESSAGES,
                ClientKind.OTHER,
                null,
                null,
                null,
                null,
                401,
                0,
                ExchangeOutcome.End.REFUSED,
                Usage.ZERO,
                3,
                3,
                0,
                null,
                null,
                null,
                false,
                java.util.Set.of(),
                null,
                null,
                false,
                0,
                0,
                "authentication",
                "203.0.113.7",
                List.of(),
                List.of());
    }

    @Test
    void refusalBeforeAKeyWasFoundShowsDashesForTheKey() {
        assertThat(AccessLog.text(noKey()))
                .as("a refused request is one line like any other, the unknown parts as -")
                .startsWith("req_nokey key=- key_id=- route=MESSAGES client=other model=null")
                .contains(" status=401 ", " end=REFUSED error=authentication ")
                .doesNotContain("tried=");
    }

    @Test
    void textLineCarriesEveryFieldAsKeyValue() {
        assertThat(AccessLog.text(outcome(null)))
                .isEqualTo("req_abc key=alice key_id=kid123 route=MESSAGES client=claude-code/2.1.330"
                        + " model=claude-haiku-4-5 upstream_model=gpt-4o-mini stream=true messages=7"
                        + " account=team-openai"
                        + " attempts=2 status=200 upstream_status=529 end=COMPLETED error=- in=120 out=30 cache_write=5 cache_read=400"
                        + " cost_usd=0.001234 pricing=estimated:gpt-4o-mini ms=812 ttfb_ms=95 from=203.0.113.7"
                        + " tried=team-anthropic:529:40ms,team-openai:200:760ms");
    }

    @Test
    void jsonLineIsOneParseableObject() throws Exception {
        String line = AccessLog.json(outcome("upstream_529"));

        assertThat(line).doesNotContain("\n");
        JsonNode n = new ObjectMapper().readTree(line);
        assertThat(n.path("request_id").asText()).isEqualTo("req_abc");
        assertThat(n.path("client_version").asText()).isEqualTo("2.1.330");
        assertThat(n.path("error").asText()).isEqualTo("upstream_529");
        assertThat(n.path("cost_usd").decimalValue()).isEqualByComparingTo("0.001234");
        assertThat(n.path("cache_read_input_tokens").asLong()).isEqualTo(400);
        assertThat(n.path("pricing").asText()).isEqualTo("estimated");
        assertThat(n.path("priced_as").asText()).isEqualTo("gpt-4o-mini");
        assertThat(n.path("attempts").asInt()).isEqualTo(2);
        assertThat(n.path("messages").asInt()).isEqualTo(7);
        assertThat(n.path("upstream_status").asInt()).isEqualTo(529);
        assertThat(n.path("client_address").asText()).isEqualTo("203.0.113.7");
    }

    @Test
    void theConfiguredFormatPicksTheLine() {
        ExchangeOutcome o = outcome(null);
        assertThat(new AccessLog(LoggingConfig.AccessLogFormat.TEXT).line(o)).isEqualTo(AccessLog.text(o));
        assertThat(new AccessLog(ConfigLoader.load(null, Map.of("RELAYGATE_ACCESS_LOG_FORMAT", "json"))
                                .logging()
                                .accessLogFormat())
                        .line(o))
                .as("RELAYGATE_ACCESS_LOG_FORMAT=json reaches the access log through the config tree")
                .isEqualTo(AccessLog.json(o));
    }
}
