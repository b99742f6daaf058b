package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.KeyRules;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LIMITS (the rules that need no shared state): a key's allowed and denied models and its allowed clients. A refused
 * request gets a 403 in the client's format naming the rule; the body was read, so the connection stays open.
 * Model patterns may use {@code *} ({@code claude-*-haiku*}); matching ignores case.
 */
public final class KeyRulesHandler extends ChannelInboundHandlerAdapter {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    private final java.util.function.Supplier<io.relaygate.core.catalogue.Catalogue> catalogue;

    /** Without model discovery (every model list is relayed to an account). */
    public KeyRulesHandler() {
        this(() -> io.relaygate.core.catalogue.Catalogue.shipped());
    }

    /**
     * @param catalogue the operator's catalogue, for the model list of a key that has one ({@link PermittedModels})
     */
    public KeyRulesHandler(java.util.function.Supplier<io.relaygate.core.catalogue.Catalogue> catalogue) {
        this.catalogue = java.util.Objects.requireNonNull(catalogue, "catalogue");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ProxyRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ProxyRequest request = (ProxyRequest) msg;
        if (request.info.route == io.relaygate.core.Route.MODELS
                && !request.info.openAiCaller
                && PermittedModels.answersFor(request.info.key().rules())) {
            // model discovery: the key's own models, not the account's whole list; no exchange, nothing to record
            RequestTrail trail = RequestTrail.current(ctx.channel());
            if (trail != null) {
                trail.markUnlogged();
            }
            ErrorResponder.sendJson(
                    ctx, 200, PermittedModels.list(request.info.key().rules(), catalogue.get()), request.info.id);
            request.release();
            return;
        }
        KeyRules rules = request.info.key().rules();
        // a model the key may not use is a 400 invalid_request_error, as Anthropic's own gateway answers a model
        // outside
        // a person's upstreams (testdata/clients/gateway); a client the key is not for stays a 403 permission_error
        String modelRefusal = modelRefusal(rules, request.skim.model());
        String refusal = modelRefusal != null ? modelRefusal : clientRefusal(rules, request.client.kind());
        if (refusal == null) {
            ctx.fireChannelRead(request);
            return;
        }
        securityLog.info(
                "[{}] key {} refused: {}", request.info.id, request.info.key().name(), refusal);
        ErrorKind kind = modelRefusal != null ? ErrorKind.INVALID_REQUEST : ErrorKind.PERMISSION;
        ErrorResponder.send(
                ctx, ErrorAnswer.of(request.info.route.format(), kind, refusal).requestId(request.info.id));
        request.release();
    }

    /** Why {@code rules} refuse a request for {@code model} from {@code client}, or null when they allow it. */
    static @Nullable String refusal(KeyRules rules, @Nullable String model, ClientKind client) {
        String byModel = modelRefusal(rules, model);
        return byModel != null ? byModel : clientRefusal(rules, client);
    }

    /** Why {@code rules} refuse {@code model}, or null when they allow it (or the request names none). */
    static @Nullable String modelRefusal(KeyRules rules, @Nullable String model) {
        if (model != null) {
            if (matchesAny(rules.deniedModels(), model)) {
                return "model " + model + " is denied for this key";
            }
            if (!rules.allowedModels().isEmpty() && !matchesAny(rules.allowedModels(), model)) {
                return "model " + model + " is not allowed for this key (allowed: "
                        + String.join(", ", rules.allowedModels()) + ")";
            }
        }
        return null;
    }

    /** Why {@code rules} refuse a request from {@code client}, or null when they allow it. */
    static @Nullable String clientRefusal(KeyRules rules, ClientKind client) {
        if (!rules.allowedClients().isEmpty() && !rules.allowedClients().contains(client)) {
            return "this key may only be used from "
                    + String.join(
                            ", ",
                            rules.allowedClients().stream()
                                    .map(ClientKind::wireName)
                                    .sorted()
                                    .toList())
                    + " (this request came from " + client.wireName() + ")";
        }
        return null;
    }

    static boolean matchesAny(List<String> patterns, String model) {
        String m = model.toLowerCase(Locale.ROOT);
        for (String p : patterns) {
            String lp = p.toLowerCase(Locale.ROOT);
            if (lp.equals(m) || (lp.contains("*") && glob(lp).matcher(m).matches())) {
                return true;
            }
        }
        return false;
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (String part : g.split("\\*", -1)) {
            if (re.length() > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }
}
