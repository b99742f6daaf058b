package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Single sign-on with the team's OpenID Connect provider, as the operator configures it (environment variables, so
 * the client secret stays out of files): the issuer whose discovery document names the endpoints, the client the
 * gateway is registered as, which groups may sign in, and which key's rules a group's people get.
 *
 * @param issuer the provider's issuer URL ({@code https}, or {@code http} on loopback for tests)
 * @param clientId the client id the gateway is registered with
 * @param clientSecret its secret (confidential client); sent only to the token endpoint
 * @param displayName what the approval page's button says: "Sign in with {@code displayName}"
 * @param groupsClaim the ID token claim holding the person's groups (a list of strings)
 * @param allowedGroups who may sign in: a member of one of these; empty means anyone the provider signs in
 * @param groupKeys group to the name of a key whose rules a person of that group gets (their key's rules are set on
 *     each sign-in); the first group in this order that the person has wins; {@code *} matches anyone
 * @param scopes the scopes asked for ({@code openid} first)
 * @param redirectUri the callback URL registered at the provider; null: {@code <gateway origin>/device/sso/callback}
 */
public record SsoSettings(
        String issuer,
        String clientId,
        String clientSecret,
        String displayName,
        String groupsClaim,
        List<String> allowedGroups,
        Map<String, String> groupKeys,
        String scopes,
        @Nullable String redirectUri) {

    public static final String DEFAULT_SCOPES = "openid email profile";
    public static final String DEFAULT_GROUPS_CLAIM = "groups";

    public SsoSettings {
        requireNonNull(issuer, "issuer");
        URI uri = URI.create(issuer);
        boolean loopback = "127.0.0.1".equals(uri.getHost()) || "localhost".equals(uri.getHost());
        if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
            throw new IllegalArgumentException(
                    "RELAYGATE_SSO_ISSUER: " + issuer + " (expected: an https URL, or http on loopback)");
        }
        if (issuer.endsWith("/")) {
            issuer = issuer.substring(0, issuer.length() - 1);
        }
        requireNonNull(clientId, "clientId");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("RELAYGATE_SSO_CLIENT_ID: blank (expected: the client id)");
        }
        requireNonNull(clientSecret, "clientSecret");
        requireNonNull(displayName, "displayName");
        requireNonNull(groupsClaim, "groupsClaim");
        allowedGroups = List.copyOf(allowedGroups);
        groupKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groupKeys));
        requireNonNull(scopes, "scopes");
        if (!Arrays.asList(scopes.split(" ")).contains("openid")) {
            throw new IllegalArgumentException("RELAYGATE_SSO_SCOPES: " + scopes + " (expected: openid among them)");
        }
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "SsoSettings[issuer=" + issuer + ", clientId=" + clientId + ", allowedGroups=" + allowedGroups
                + ", groupKeys=" + groupKeys + "]";
    }

    /**
     * The settings from the environment, or null when {@code RELAYGATE_SSO_ISSUER} is unset (single sign-on off).
     * {@code RELAYGATE_SSO_CLIENT_ID} and {@code RELAYGATE_SSO_CLIENT_SECRET} are then required;
     * {@code RELAYGATE_SSO_NAME}, {@code RELAYGATE_SSO_GROUPS_CLAIM}, {@code RELAYGATE_SSO_ALLOWED_GROUPS} (comma or
     * blank separated), {@code RELAYGATE_SSO_GROUP_KEYS} ({@code group=key,…}), {@code RELAYGATE_SSO_SCOPES} and
     * {@code RELAYGATE_SSO_REDIRECT_URI} are optional.
     */
    public static @Nullable SsoSettings fromEnv(Map<String, String> env) {
        String issuer = env.get("RELAYGATE_SSO_ISSUER");
        if (issuer == null || issuer.isBlank()) {
            return null;
        }
        String id = env.get("RELAYGATE_SSO_CLIENT_ID");
        String secret = env.get("RELAYGATE_SSO_CLIENT_SECRET");
        if (id == null || secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("RELAYGATE_SSO_ISSUER is set: RELAYGATE_SSO_CLIENT_ID and"
                    + " RELAYGATE_SSO_CLIENT_SECRET are required too");
        }
        Map<String, String> groupKeys = new LinkedHashMap<>();
        for (String pair : items(env.get("RELAYGATE_SSO_GROUP_KEYS"))) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException(
                        "RELAYGATE_SSO_GROUP_KEYS: " + pair + " (expected: group=key name, comma separated)");
            }
            groupKeys.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String name = env.get("RELAYGATE_SSO_NAME");
        String claim = env.get("RELAYGATE_SSO_GROUPS_CLAIM");
        String scopes = env.get("RELAYGATE_SSO_SCOPES");
        String redirect = env.get("RELAYGATE_SSO_REDIRECT_URI");
        return new SsoSettings(
                issuer.trim(),
                id.trim(),
                secret,
                name == null || name.isBlank() ? "your identity provider" : name.trim(),
                claim == null || claim.isBlank() ? DEFAULT_GROUPS_CLAIM : claim.trim(),
                items(env.get("RELAYGATE_SSO_ALLOWED_GROUPS")),
                groupKeys,
                scopes == null || scopes.isBlank() ? DEFAULT_SCOPES : scopes.trim(),
                redirect == null || redirect.isBlank() ? null : redirect.trim());
    }

    private static List<String> items(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }
}
