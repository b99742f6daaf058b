package io.relaygate.server.signin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.people.PeopleStore;
import io.relaygate.accounts.people.Person;
import io.relaygate.accounts.people.SignInTokens;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /managed/settings} (bearer): the signed-in person's managed settings as the protocol wraps them,
 * {@code {"uuid","checksum","settings"}}, with the checksum quoted as {@code ETag}; {@code 304} when the client's
 * {@code If-None-Match} is the current checksum (only then), {@code 404} when no settings apply. A missing or ended
 * token gets Anthropic's {@code authentication_error} with {@code x-should-retry: false}.
 */
final class ManagedSettingsEndpoint {

    static final String PATH = "/managed/settings";

    private final PeopleStore people;
    private final SignInTokens tokens;
    private final Documents documents;

    ManagedSettingsEndpoint(PeopleStore people, SignInTokens tokens, Documents documents) {
        this.people = requireNonNull(people, "people");
        this.tokens = requireNonNull(tokens, "tokens");
        this.documents = requireNonNull(documents, "documents");
    }

    private record Answer(
            int status, @Nullable ObjectNode body, @Nullable String etag) {}

    void handle(ChannelHandlerContext ctx, HttpRequest request) {
        String auth = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        String token =
                auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
        String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        OAuthEndpoints.onLoop(ctx, answer(token, ifNoneMatch), a -> {
            if (a.status() == 401) {
                byte[] body = ("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
                                + "\"your Relaygate sign-in expired or was revoked: run /login to sign in again\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                SignInHttp.send(ctx, 401, "application/json", body, Map.of("x-should-retry", "false"));
            } else if (a.status() == 200) {
                SignInHttp.send(
                        ctx,
                        200,
                        "application/json",
                        requireNonNull(a.body(), "body").toString().getBytes(StandardCharsets.UTF_8),
                        Map.of("etag", requireNonNull(a.etag(), "etag")));
            } else {
                Map<String, String> extra = a.etag() == null ? Map.of() : Map.of("etag", a.etag());
                SignInHttp.send(ctx, a.status(), "application/json", new byte[0], extra);
            }
        });
    }

    private CompletionStage<Answer> answer(String token, @Nullable String ifNoneMatch) {
        if (!SignInTokens.isAccessToken(token)) {
            return CompletableFuture.completedFuture(new Answer(401, null, null));
        }
        return tokens.authenticate(token).thenCompose(session -> {
            if (session.isEmpty()) {
                return CompletableFuture.completedFuture(new Answer(401, null, null));
            }
            return people.findById(session.get().personId())
                    .thenCombine(
                            documents.get(Documents.MANAGED_SETTINGS),
                            (person, doc) -> settled(person, doc, ifNoneMatch));
        });
    }

    private static Answer settled(Optional<Person> person, Optional<String> doc, @Nullable String ifNoneMatch) {
        if (person.isEmpty() || !person.get().enabled()) {
            return new Answer(401, null, null);
        }
        Optional<ManagedSettings.Applied> applied =
                ManagedSettings.forPerson(ManagedSettings.parse(doc.orElse(null)), person.get());
        if (applied.isEmpty()) {
            return new Answer(404, null, null);
        }
        String checksum = ManagedSettings.checksum(applied.get().settings());
        String etag = "\"" + checksum + "\"";
        if (ifNoneMatch != null
                && (ifNoneMatch.trim().equals(etag) || ifNoneMatch.trim().equals(checksum))) {
            return new Answer(304, null, etag);
        }
        ObjectNode body = SignInHttp.JSON
                .createObjectNode()
                .put("uuid", "relaygate-settings-" + applied.get().group())
                .put("checksum", checksum);
        body.set("settings", applied.get().settings());
        return new Answer(200, body, etag);
    }
}
