package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Stores an {@link Account} with its credential, proxy URL (which may carry a password) and extra headers (whose values
 * may be secrets) encrypted, so none is ever in clear text in a file or in Redis.
 */
final class AccountCodec extends RecordCodec<Account> {

    private final CredentialCipher cipher;

    AccountCodec(CredentialCipher cipher) {
        this.cipher = requireNonNull(cipher, "cipher");
    }

    /** The stored form: like {@link Account} but the kind by wire name and the secrets sealed. */
    record Stored(
            String id,
            String name,
            String kind,
            String baseUrl,
            @Nullable String credential,
            @Nullable String proxy,
            int priority,
            boolean schedulable,
            @Nullable String group,
            @Nullable List<String> models,
            @Nullable Map<String, String> modelMap,
            Instant createdAt,
            @Nullable String trustCertificates,
            @Nullable String headers) {}

    @Override
    String what() {
        return "account";
    }

    @Override
    String collection() {
        return "accounts";
    }

    @Override
    String id(Account value) {
        return value.id();
    }

    @Override
    String name(Account value) {
        return value.name();
    }

    @Override
    JsonNode encode(Account a) {
        return MAPPER.valueToTree(new Stored(
                a.id(),
                a.name(),
                a.kind().wireName(),
                a.baseUrl(),
                a.credential() == null ? null : cipher.encrypt(a.credential()),
                a.proxy() == null ? null : cipher.encrypt(a.proxy()),
                a.priority(),
                a.schedulable(),
                a.group(),
                a.models(),
                a.modelMap(),
                a.createdAt(),
                a.trustCertificates(),
                a.headers().isEmpty() ? null : cipher.encrypt(headersJson(a.headers()))));
    }

    private static String headersJson(Map<String, String> headers) {
        try {
            return MAPPER.writeValueAsString(headers);
        } catch (IOException e) {
            throw new IllegalStateException("headers: not writable as JSON", e);
        }
    }

    private static Map<String, String> headersOf(String json) {
        try {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            MAPPER.readTree(json)
                    .fields()
                    .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException("headers: not a JSON object", e);
        }
    }

    @Override
    Account decode(JsonNode node) {
        Stored s;
        try {
            s = MAPPER.treeToValue(node, Stored.class);
        } catch (IOException | IllegalArgumentException e) {
            throw unreadable(what(), node, e);
        }
        try {
            return new Account(
                    s.id(),
                    s.name(),
                    AccountKind.fromWireName(s.kind()),
                    s.baseUrl(),
                    s.credential() == null ? null : cipher.decrypt(s.credential(), "credential of account " + s.name()),
                    s.proxy() == null ? null : cipher.decrypt(s.proxy(), "proxy URL of account " + s.name()),
                    s.priority(),
                    s.schedulable(),
                    s.group(),
                    s.models() == null ? List.of() : s.models(),
                    s.modelMap() == null ? Map.of() : s.modelMap(),
                    s.createdAt(),
                    s.trustCertificates(),
                    s.headers() == null
                            ? Map.of()
                            : headersOf(cipher.decrypt(s.headers(), "headers of account " + s.name())));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw unreadable(what(), node, e);
        }
    }
}
