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
    void masksJwtsSuchAsChatGptAccessAndIdTokens() {
        String jwt =
                "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJodHRwczovL2FwaS5vcGVuYWkuY29tL2F1dGgiOnt9fQ.c2lnbmF0dXJlLXBhcnQ";
        String out = Secrets.redact("upstream said: token " + jwt + " expired");
        assertThat(out)
                .doesNotContain("eyJodHRwczov")
                .doesNotContain("c2lnbmF0dXJl")
                .contains("token eyJ*** expired");
    }

    @Test
    void masksAnthropicOauthAccessAndRefreshTokens() {
        String out = Secrets.redact("refresh with sk-ant-ort01-AbCdEfGh0123456789 gave sk-ant-oat01-ZyXwVu9876543210");
        assertThat(out).doesNotContain("AbCdEfGh0123").doesNotContain("ZyXwVu9876");
    }

    @Test
    void masksCredentialFieldsInJsonAndForms() {
        String json = "{\"access_token\":\"opaque-access-1234\",\"refresh_token\": \"rt_opaqueRefresh5678\","
                + "\"id_token\":\"idtok-9999\",\"client_secret\":\"cs-4321\",\"token_type\":\"Bearer\"}";
        String form = "grant_type=authorization_code&code_verifier=verifierXYZ123&password=pa55word";
        String out = Secrets.redact(json + " " + form);
        assertThat(out)
                .doesNotContain("opaque-access-1234")
                .doesNotContain("rt_opaqueRefresh5678")
                .doesNotContain("idtok-9999")
                .doesNotContain("cs-4321")
                .doesNotContain("verifierXYZ123")
                .doesNotContain("pa55word")
                .contains("\"token_type\":\"Bearer\"", "grant_type=authorization_code");
    }

    @Test
    void masksCredentialQueryParameters() {
        String out = Secrets.redact("GET /callback?code=authCode12345&state=abc and /x?token=tok987654");
        assertThat(out)
                .doesNotContain("authCode12345")
                .doesNotContain("tok987654")
                .contains("state=abc");
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
