package io.relaygate.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void masksGatewayKeysProviderKeysBearerTokensAndUrlCredentials() {
        String line = "key rg_AbCdEfGhIj_0123456789abcdefghijklmnopqrstuv upstream sk-ant-api03-SECRETSECRET"
                + " auth Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig proxy socks5://bob:hunter2@proxy:1080"
                + " json \"x-api-key\": \"abcd1234efgh\"";
        String out = Secrets.redact(line);
        assertThat(out)
                .as("no secret survives redaction")
                .doesNotContain("0123456789abcdef")
                .doesNotContain("SECRETSECRET")
                .doesNotContain("payload.sig")
                .doesNotContain("hunter2")
                .doesNotContain("abcd1234efgh");
        assertThat(out)
                .as("enough stays to recognise what was masked")
                .contains("rg_AbCd***", "sk-an***", "Bearer ***");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "no route for POST /v1/foo (model claude-opus-5-5, 42 tokens)";
        assertThat(Secrets.redact(text)).isSameAs(text);
    }

    @Test
    void maskKeepsFourCharacters() {
        assertThat(Secrets.mask("sk-abcdef")).isEqualTo("sk-a***");
        assertThat(Secrets.mask("abc")).isEqualTo("***");
    }
}
