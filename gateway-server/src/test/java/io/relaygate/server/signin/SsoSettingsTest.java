package io.relaygate.server.signin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SsoSettingsTest {

    private static final Map<String, String> BASE = Map.of(
            "RELAYGATE_SSO_ISSUER", "https://idp.example.com/",
            "RELAYGATE_SSO_CLIENT_ID", "relaygate",
            "RELAYGATE_SSO_CLIENT_SECRET", "s3cret-value-for-the-test");

    private static Map<String, String> with(String name, String value) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(BASE);
        env.put(name, value);
        return env;
    }

    @Test
    void offWithoutAnIssuer() {
        assertThat(SsoSettings.fromEnv(Map.of())).isNull();
    }

    @Test
    void readsTheEnvironmentWithNamedDefaults() {
        SsoSettings s = SsoSettings.fromEnv(with("RELAYGATE_SSO_GROUP_KEYS", "eng=template.eng, *=template.all"));
        assertThat(s).isNotNull();
        assertThat(s.issuer()).isEqualTo("https://idp.example.com");
        assertThat(s.groupsClaim()).isEqualTo("groups");
        assertThat(s.scopes()).isEqualTo("openid email profile");
        assertThat(s.allowedGroups()).isEmpty();
        assertThat(s.groupKeys()).containsExactly(Map.entry("eng", "template.eng"), Map.entry("*", "template.all"));
        assertThat(s.toString()).doesNotContain("s3cret-value-for-the-test");
    }

    @Test
    void allowedGroupsTakeCommasOrBlanks() {
        SsoSettings s = SsoSettings.fromEnv(with("RELAYGATE_SSO_ALLOWED_GROUPS", "eng, ops sre"));
        assertThat(s).isNotNull();
        assertThat(s.allowedGroups()).isEqualTo(List.of("eng", "ops", "sre"));
    }

    @Test
    void refusesWhatCannotWork() {
        assertThatThrownBy(() -> SsoSettings.fromEnv(Map.of("RELAYGATE_SSO_ISSUER", "https://idp.example.com")))
                .hasMessageContaining("RELAYGATE_SSO_CLIENT_SECRET");
        assertThatThrownBy(() -> SsoSettings.fromEnv(with("RELAYGATE_SSO_ISSUER", "http://idp.example.com")))
                .hasMessageContaining("expected: an https URL");
        assertThatThrownBy(() -> SsoSettings.fromEnv(with("RELAYGATE_SSO_GROUP_KEYS", "eng")))
                .hasMessageContaining("group=key");
        assertThatThrownBy(() -> SsoSettings.fromEnv(with("RELAYGATE_SSO_SCOPES", "email")))
                .hasMessageContaining("openid");
    }

    @Test
    void aNameFromTheEmailOrElseTheSubject() {
        assertThat(SsoPeople.nameFor("alice@example.com", "x")).isEqualTo("alice@example.com");
        assertThat(SsoPeople.nameFor(null, "00u1/ab c")).isEqualTo("sso-00u1-ab-c");
        assertThat(SsoPeople.nameFor("not valid name", "s")).isEqualTo("sso-s");
    }
}
