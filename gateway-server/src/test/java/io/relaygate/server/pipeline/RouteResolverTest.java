package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import org.junit.jupiter.api.Test;

class RouteResolverTest {

    @Test
    void resolvesEveryRouteWithAndWithoutPrefixes() {
        for (String prefix : new String[] {"", "/api", "/claude"}) {
            assertThat(RouteResolver.resolve(prefix + "/v1/messages")).isEqualTo(Route.MESSAGES);
            assertThat(RouteResolver.resolve(prefix + "/v1/messages/count_tokens"))
                    .isEqualTo(Route.COUNT_TOKENS);
            assertThat(RouteResolver.resolve(prefix + "/v1/models")).isEqualTo(Route.MODELS);
        }
        assertThat(RouteResolver.resolve("/openai/v1/chat/completions")).isEqualTo(Route.CHAT_COMPLETIONS);
        assertThat(RouteResolver.resolve("/v1/chat/completions")).isEqualTo(Route.CHAT_COMPLETIONS);
        assertThat(RouteResolver.resolve("/openai/v1/responses")).isEqualTo(Route.RESPONSES);
        assertThat(RouteResolver.resolve("/v1/messages/")).as("trailing slash").isEqualTo(Route.MESSAGES);
    }

    @Test
    void unknownPathsResolveToNothing() {
        assertThat(RouteResolver.resolve("/")).isNull();
        assertThat(RouteResolver.resolve("/v1/messagesX")).isNull();
        assertThat(RouteResolver.resolve("/api")).isNull();
        assertThat(RouteResolver.resolve("/admin/v1/messages")).isNull();
    }

    @Test
    void openAiLookingPathsGetOpenAiErrors() {
        assertThat(RouteResolver.errorFormat("/openai/v1/foo")).isEqualTo(WireFormat.OPENAI_CHAT);
        assertThat(RouteResolver.errorFormat("/v1/foo")).isEqualTo(WireFormat.ANTHROPIC);
    }
}
