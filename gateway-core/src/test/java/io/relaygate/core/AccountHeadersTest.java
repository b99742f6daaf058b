package io.relaygate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccountHeadersTest {

    private static Account account(Map<String, String> headers) {
        return new Account(
                "id1",
                "main",
                AccountKind.ANTHROPIC_API,
                "https://api.anthropic.com",
                "sk-secret",
                null,
                50,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.EPOCH,
                null,
                headers);
    }

    @Test
    void headersKeepTheirOrderAndTheOlderConstructorsHaveNone() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("X-B", "2");
        given.put("X-A", " 1 ");
        assertThat(account(given).headers()).containsExactly(Map.entry("X-B", "2"), Map.entry("X-A", "1"));
        Account twelve = new Account(
                "id1",
                "main",
                AccountKind.ANTHROPIC_API,
                "https://api.anthropic.com",
                null,
                null,
                50,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.EPOCH,
                null,
                Map.of());
        assertThat(twelve.headers()).isEmpty();
        assertThat(twelve.withHeaders(given).withSchedulable(false).headers())
                .as("the with-methods keep the headers")
                .hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Authorization",
                "x-api-key",
                "API-Key",
                "Connection",
                "Transfer-Encoding",
                "Host",
                "Content-Length",
                "Proxy-Anything",
                "chatgpt-account-id",
                "X-Amz-Date"
            })
    void headersTheGatewayOwnsAreRefused(String name) {
        assertThatThrownBy(() -> account(Map.of(name, "secret-value")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("the gateway sets it itself")
                .hasMessageNotContaining("secret-value");
    }

    @Test
    void namesMustBeTokensAndValuesOneLineWithoutEchoingTheValue() {
        assertThatThrownBy(() -> account(Map.of("X Bad", "v")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("header name");
        assertThatThrownBy(() -> account(Map.of("X-Inject", "secret\r\nX-Evil: 1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X-Inject")
                .hasMessageNotContaining("secret");
        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("X-Team", "a");
        twice.put("x-team", "b");
        assertThatThrownBy(() -> account(twice)).hasMessageContaining("given twice");
    }

    @Test
    void theCliLineIsNameColonValue() {
        assertThat(AccountHeaders.parseLine("X-Team:  blue ")).isEqualTo(Map.entry("X-Team", "blue"));
        assertThatThrownBy(() -> AccountHeaders.parseLine("no colon")).hasMessageContaining("Name: value");
    }
}
