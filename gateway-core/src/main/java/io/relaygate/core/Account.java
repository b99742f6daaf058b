package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An upstream account. In memory the credential is plain text; the store encrypts it at rest and no
 * {@link #toString()} shows it.
 *
 * @param id stable identifier
 * @param name the operator's name (unique)
 * @param kind what the account is and which format it speaks
 * @param baseUrl where its API lives, e.g. {@code https://api.anthropic.com} (tests point it at the mock upstream)
 * @param credential API key or access token; {@code null} for servers that take none
 * @param proxy optional {@code socks5://} or {@code http://} proxy URL, possibly with credentials
 * @param priority lower is preferred; default {@link #DEFAULT_PRIORITY}
 * @param schedulable whether the scheduler may pick it
 * @param group optional account group a key can be bound to
 * @param models models the account serves (empty: any)
 * @param modelMap model name (or tier: haiku, sonnet, opus) to upstream model
 * @param createdAt when it was added
 * @param trustCertificates PEM file of the certificates to trust for this account's TLS (and nothing else); null for
 *     the JDK's default trust store. Hostnames are verified either way.
 * @param headers extra headers sent on every upstream request of this account (name to value; empty: none). Values
 *     may be secrets: views and logs show names only. Names are checked by {@link AccountHeaders#check}.
 */
public record Account(
        String id,
        String name,
        AccountKind kind,
        String baseUrl,
        @Nullable String credential,
        @Nullable String proxy,
        int priority,
        boolean schedulable,
        @Nullable String group,
        List<String> models,
        Map<String, String> modelMap,
        Instant createdAt,
        @Nullable String trustCertificates,
        Map<String, String> headers) {

    /** Priority of an account added without one. */
    public static final int DEFAULT_PRIORITY = 50;

    public Account {
        requireNonNull(id, "id");
        requireNonNull(name, "name");
        requireNonNull(kind, "kind");
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(createdAt, "createdAt");
        models = List.copyOf(requireNonNull(models, "models"));
        modelMap = Map.copyOf(requireNonNull(modelMap, "modelMap"));
        headers = AccountHeaders.check(requireNonNull(headers, "headers"));
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw new IllegalArgumentException(
                    "base-url: " + Secrets.redactUrl(baseUrl) + " (expected: http:// or https://)");
        }
        if (proxy != null && !proxy.startsWith("socks5://") && !proxy.startsWith("http://")) {
            throw new IllegalArgumentException(
                    "proxy: " + Secrets.redactUrl(proxy) + " (expected: socks5://… or http://…)");
        }
    }

    public Account withSchedulable(boolean value) {
        return with(credential, value, trustCertificates, headers);
    }

    public Account withCredential(@Nullable String value) {
        return with(value, schedulable, trustCertificates, headers);
    }

    public Account withTrustCertificates(@Nullable String pemFile) {
        return with(credential, schedulable, pemFile, headers);
    }

    /** This account with {@code value} as its extra headers (checked like the constructor's). */
    public Account withHeaders(Map<String, String> value) {
        return with(credential, schedulable, trustCertificates, value);
    }

    private Account with(
            @Nullable String credential,
            boolean schedulable,
            @Nullable String trustCertificates,
            Map<String, String> headers) {
        return new Account(
                id,
                name,
                kind,
                baseUrl,
                credential,
                proxy,
                priority,
                schedulable,
                group,
                models,
                modelMap,
                createdAt,
                trustCertificates,
                headers);
    }

    @Override
    public String toString() {
        return "Account[id=" + id + ", name=" + name + ", kind=" + kind.wireName() + ", baseUrl="
                + Secrets.redactUrl(baseUrl) + ", credential="
                + (credential == null ? "none" : Secrets.mask(credential))
                + ", proxy=" + (proxy == null ? "none" : Secrets.redactUrl(proxy)) + ", priority=" + priority
                + ", schedulable=" + schedulable + ", group=" + group + ", headers=" + headers.keySet() + "]";
    }
}
