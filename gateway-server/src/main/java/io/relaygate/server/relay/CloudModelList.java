package io.relaygate.server.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.chat.ModelLists;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Route;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;
import io.relaygate.server.exchange.Exchange;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Answers {@code GET /v1/models} itself when the chosen account is a {@code bedrock} or {@code vertex} account: the
 * platforms have no Anthropic model list, so the list is what the account serves, by the names clients use: the
 * account's own {@code models} when it lists them, else the catalogue's models with an id on the account's platform
 * and the names of its model map. In the caller's shape: Anthropic's, or OpenAI's for OpenAI-format callers.
 */
final class CloudModelList {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The catalogue carries no creation dates; Claude 3's release stands in, so clients get a valid timestamp. */
    private static final String CREATED_AT = "2024-03-04T00:00:00Z";

    private CloudModelList() {}

    /** Whether {@code exchange}'s request is a model list that {@code account} cannot answer itself. */
    static boolean applies(Exchange exchange, Account account) {
        return exchange.request().info.route == Route.MODELS && account.kind().cloud();
    }

    /** Ends the exchange with the list. */
    static void answer(Exchange exchange, Account account) {
        ObjectNode list = anthropicList(account, exchange.catalogue());
        exchange.respondJson(
                exchange.request().info.openAiCaller
                        ? ModelLists.toOpenAi(list, account.kind().wireName()).toString()
                        : list.toString());
    }

    /** The models {@code account} serves, as Anthropic's list. */
    static ObjectNode anthropicList(Account account, Catalogue catalogue) {
        Set<String> names = new LinkedHashSet<>(account.models());
        if (names.isEmpty()) {
            String platform = account.kind() == AccountKind.BEDROCK ? ModelEntry.BEDROCK : ModelEntry.VERTEX;
            for (ModelEntry e : catalogue.servedOn(platform)) {
                names.add(e.name());
            }
            names.addAll(account.modelMap().keySet());
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        for (String name : names) {
            data.addObject()
                    .put("type", "model")
                    .put("id", name)
                    .put("display_name", name)
                    .put("created_at", CREATED_AT);
        }
        out.put("has_more", false);
        if (data.isEmpty()) {
            out.putNull("first_id");
            out.putNull("last_id");
        } else {
            out.put("first_id", data.get(0).path("id").asText());
            out.put("last_id", data.get(data.size() - 1).path("id").asText());
        }
        return out;
    }
}
