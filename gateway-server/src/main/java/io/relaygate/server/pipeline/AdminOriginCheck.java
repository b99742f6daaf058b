package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Ids;
import io.relaygate.core.WireFormat;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses admin writes a browser sends on behalf of another site (cross-site request forgery), in front of the
 * {@link AdminRoutes} it wraps. A request that changes something (any method but GET, HEAD and OPTIONS) is refused
 * with a 403 when the browser says it comes from elsewhere:
 *
 * <ul>
 *   <li>{@code Sec-Fetch-Site} is {@code cross-site} or {@code same-site} (Fetch Metadata: a sibling subdomain is
 *       another origin too); {@code same-origin} and {@code none} (typed or bookmarked) pass;
 *   <li>else an {@code Origin} that is {@code null} or names another host and port than the request's {@code Host}.
 * </ul>
 *
 * A request with neither header is not a browser's cross-site request (browsers send {@code Origin} on every
 * cross-origin POST, RFC 6454 section 7 and the Fetch standard), so scripts and the CLI pass; their credentials are
 * checked by the routes behind. Reads pass too: they change nothing, and the same-origin policy keeps their answers
 * from other sites.
 */
public final class AdminOriginCheck implements AdminRoutes {

    private static final Logger securityLog = LoggerFactory.getLogger("io.relaygate.security");

    private final AdminRoutes routes;

    public AdminOriginCheck(AdminRoutes routes) {
        this.routes = requireNonNull(routes, "routes");
    }

    @Override
    public boolean matches(String path) {
        return routes.matches(path);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
        String refusal = refusal(request.method(), request.headers());
        if (refusal == null) {
            routes.handle(ctx, request, path, body);
            return;
        }
        String id = "adm_" + Ids.unique(16);
        securityLog.info(
                "[{}] admin API: refused cross-origin {} {} from {}: {}",
                id,
                request.method(),
                path,
                ClientAddress.of(ctx.channel()),
                refusal);
        ErrorResponder.send(
                ctx,
                ErrorAnswer.of(
                                WireFormat.OPENAI_CHAT,
                                ErrorKind.PERMISSION,
                                "cross-origin admin request refused (" + refusal
                                        + "): admin changes are accepted from the gateway's own origin only")
                        .requestId(id));
    }

    /** Why the request must be refused, or null when it may go on. */
    static @Nullable String refusal(HttpMethod method, HttpHeaders headers) {
        if (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method)) {
            return null;
        }
        String site = headers.get("sec-fetch-site");
        if (site != null) {
            String s = site.trim().toLowerCase(Locale.ROOT);
            if (s.equals("same-origin") || s.equals("none")) {
                return null;
            }
            return "Sec-Fetch-Site: " + s;
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return null;
        }
        String host = headers.get(HttpHeaderNames.HOST);
        String authority = authority(origin.trim());
        if (authority == null || host == null || !sameAuthority(authority, host.trim(), origin.trim())) {
            return "Origin " + (authority == null ? "null" : authority) + " is not this host";
        }
        return null;
    }

    /** {@code host[:port]} of a serialized origin, lower case; null for {@code null} or anything unreadable. */
    private static @Nullable String authority(String origin) {
        if (origin.equals("null")) {
            return null;
        }
        try {
            URI uri = new URI(origin);
            String host = uri.getHost();
            if (host == null || uri.getScheme() == null) {
                return null;
            }
            return (host + (uri.getPort() < 0 ? "" : ":" + uri.getPort())).toLowerCase(Locale.ROOT);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Whether the origin's authority is the Host header's, a default port written or left out alike. */
    private static boolean sameAuthority(String authority, String host, String origin) {
        String h = host.toLowerCase(Locale.ROOT);
        if (authority.equals(h)) {
            return true;
        }
        String defaultPort = origin.regionMatches(true, 0, "https:", 0, 6) ? ":443" : ":80";
        return authority.equals(h + defaultPort) || (authority + defaultPort).equals(h);
    }
}
