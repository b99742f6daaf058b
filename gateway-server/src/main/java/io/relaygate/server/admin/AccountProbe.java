package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.convert.Conversion;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Secrets;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.server.upstream.CloudProbe;
import io.relaygate.server.upstream.TokenEndpoint;
import io.relaygate.server.upstream.UpstreamRequests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The connection test of an account ({@code POST /admin/accounts/<name>/test}, {@code relaygate accounts test NAME}):
 * one minimal request (one output token, "ping") to the account's upstream, through its proxy, with its credentials
 * and headers as the relay sends them, answered with the status, the latency and the upstream's own message. The
 * request is not scheduled, counted or cooled down: it tells the operator, and changes nothing.
 */
public final class AccountProbe {

    /** Longest message shown from the upstream's answer. */
    static final int MAX_MESSAGE_CHARS = 300;

    private AccountProbe() {}

    /**
     * Tests {@code account} with {@code model} (null: the account's first listed or mapped model, else a small model
     * of its vendor).
     */
    public static CompletableFuture<ObjectNode> run(TokenEndpoint calls, Account account, @Nullable String model) {
        return run(calls, account, model, Catalogue.shipped());
    }

    /**
     * Tests {@code account} with {@code model}; a {@code bedrock} or {@code vertex} account's model id comes from
     * {@code catalogue} (the live one), as the relay takes it.
     */
    public static CompletableFuture<ObjectNode> run(
            TokenEndpoint calls, Account account, @Nullable String model, Catalogue catalogue) {
        String m = model != null && !model.isBlank() ? model.trim() : defaultModel(account);
        if (account.kind().cloud()) {
            ObjectNode ping = Views.JSON.createObjectNode().put("model", m).put("max_tokens", 1);
            ping.putArray("messages").addObject().put("role", "user").put("content", "ping");
            long started = System.nanoTime();
            CompletableFuture<TokenEndpoint.Answer> sent;
            try {
                sent = CloudProbe.send(calls, account, ping.toString(), catalogue);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            return sent.handle((answer, failure) -> result(account, m, started, answer, failure));
        }
        String path;
        ObjectNode body = Views.JSON.createObjectNode();
        switch (account.kind()) {
            case ANTHROPIC_API:
            case CLAUDE_OAUTH:
                path = "/v1/messages";
                body.put("model", m).put("max_tokens", 1);
                body.putArray("messages").addObject().put("role", "user").put("content", "ping");
                break;
            case CODEX_OAUTH:
            case OPENAI_API:
                path = Conversion.responsesPath(account);
                body.put("model", m).put("input", "ping").put("store", false);
                if (account.kind() == AccountKind.CODEX_OAUTH) {
                    body.put("instructions", "").put("stream", true);
                } else {
                    body.put("max_output_tokens", 16);
                }
                break;
            case AZURE_OPENAI:
                path = "/openai/deployments/" + m + "/chat/completions?api-version=2024-10-21";
                body.put("max_tokens", 1);
                body.putArray("messages").addObject().put("role", "user").put("content", "ping");
                break;
            default:
                path = "/v1/chat/completions";
                body.put("model", m).put("max_tokens", 1);
                body.putArray("messages").addObject().put("role", "user").put("content", "ping");
                break;
        }
        String base = account.baseUrl().endsWith("/")
                ? account.baseUrl().substring(0, account.baseUrl().length() - 1)
                : account.baseUrl();
        long started = System.nanoTime();
        return calls.post(
                        "account " + account.name(),
                        base + path,
                        account.proxy(),
                        account.trustCertificates(),
                        body.toString(),
                        UpstreamRequests.credentialHeaders(account, ClientSignatures.shipped()))
                .handle((answer, failure) -> result(account, m, started, answer, failure));
    }

    private static ObjectNode result(
            Account account,
            String m,
            long started,
            TokenEndpoint.@Nullable Answer answer,
            @Nullable Throwable failure) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("account", account.name());
        n.put("model", m);
        n.put("latencyMs", (System.nanoTime() - started) / 1_000_000);
        if (failure != null || answer == null) {
            Throwable cause = failure == null ? new IllegalStateException("no answer") : failure;
            while (cause.getCause() != null && cause != cause.getCause()) {
                cause = cause.getCause();
            }
            n.put("ok", false);
            n.putNull("status");
            String why = Secrets.redact(String.valueOf(cause.getMessage()));
            n.put("message", clip(account.kind().cloud() ? "account " + account.name() + ": " + why : why));
            return n;
        }
        boolean ok = answer.status() / 100 == 2;
        n.put("ok", ok);
        n.put("status", answer.status());
        String message = ok ? "the upstream answered" : message(answer.body());
        if (!ok && account.kind().cloud() && (answer.status() == 401 || answer.status() == 403)) {
            message = "account " + account.name() + ": "
                    + (account.kind() == AccountKind.BEDROCK ? "Bedrock" : "Vertex AI")
                    + " refused the credentials (HTTP " + answer.status() + "): " + message;
        }
        n.put("message", clip(message));
        return n;
    }

    private static String defaultModel(Account account) {
        if (!account.models().isEmpty()) {
            return account.models().get(0);
        }
        if (!account.modelMap().isEmpty()) {
            return account.modelMap().values().iterator().next();
        }
        switch (account.kind()) {
            case ANTHROPIC_API:
            case CLAUDE_OAUTH:
                return "claude-haiku-4-5";
            case CODEX_OAUTH:
                return "gpt-5-codex";
            case BEDROCK:
            case VERTEX:
                return "claude-haiku-4-5";
            default:
                return "gpt-4o-mini";
        }
    }

    /** The upstream's error message ({@code error.message} in both vendors' formats), else the body's start. */
    static String message(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode n = Views.JSON.readTree(body);
            JsonNode error = n.path("error");
            String m =
                    error.isTextual() ? error.asText() : error.path("message").asText("");
            if (m.isEmpty()) {
                // Bedrock's errors: {"message": "..."} (its type in the x-amzn-ErrorType header)
                m = n.path("message").asText(n.path("Message").asText(""));
            }
            if (!m.isEmpty()) {
                return clip(Secrets.redact(m));
            }
        } catch (IOException e) {
            // not JSON: the text itself
        }
        return clip(Secrets.redact(text.isBlank() ? "(empty answer)" : text));
    }

    private static String clip(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "…";
    }
}
