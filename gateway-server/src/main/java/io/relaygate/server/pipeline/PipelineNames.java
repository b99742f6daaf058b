package io.relaygate.server.pipeline;

/**
 * Names of every handler in the gateway's pipelines, in order.
 *
 * <pre>
 * client channel:
 *   [PROXY_PROTOCOL] → IDLE → REQUEST_START → HTTP_CODEC → REQUEST_DEADLINE → KEEP_ALIVE → [FORWARDED] → LEDGER → ROUTE → AUTH → AGGREGATOR → SKIM → IDENTIFY → LIMITS → ADMIT → RELAY
 *
 * upstream channel (pooled, on the client channel's event loop):
 *   [PROXY] → [TLS] → UPSTREAM_CODEC → UPSTREAM_DECOMPRESS → [UPSTREAM_EVENT_STREAM] → UPSTREAM_RESPONSE
 *
 * HTTP/2 upstream connection (h2 by ALPN, until then UPSTREAM_ALPN; or h2c with prior knowledge), pooled per event loop
 * and target, carrying many streams:
 *   [PROXY] → [TLS] → UPSTREAM_H2 → UPSTREAM_H2_MUX → UPSTREAM_H2_LINK
 * and one child channel per request's stream (what the relay sees as its upstream channel):
 *   (upstream.Http2StreamCodec) → [UPSTREAM_DECOMPRESS] → [UPSTREAM_EVENT_STREAM] → UPSTREAM_RESPONSE
 *
 * token endpoint channel (one per OAuth token call, not pooled; same connection setup as the upstream channel):
 *   [PROXY] → [TLS] → UPSTREAM_CODEC → UPSTREAM_DECOMPRESS → TOKEN_AGGREGATOR → TOKEN_ANSWER
 * </pre>
 *
 * <ul>
 *   <li>PROXY_PROTOCOL ({@link ProxyProtocolHandler}) and FORWARDED ({@link ForwardedForHandler}) are there only for
 *       trusted proxies ({@code server.trustedProxies}): they resolve the client's address ({@link ClientAddress}).
 *   <li>REQUEST_START and REQUEST_DEADLINE ({@link RequestDeadlineHandler}) bound the time a whole request head and
 *       body take to arrive (slowloris clients): 408 and a close past either deadline.
 *   <li>LEDGER ({@link io.relaygate.server.exchange.RequestLedgerHandler}) gives every request that does not become an
 *       exchange (a refusal before ADMIT, a client that left) its one outcome, for the request log and the metrics.
 *   <li>ROUTE ({@link RouteHandler}) and AUTH ({@link ApiKeyAuthHandler}) act on the request head, so an unknown route
 *       or an unauthenticated client never makes the gateway buffer a body.
 *   <li>AGGREGATOR ({@link BodyAggregator}) collects the body up to the configured limit.
 *   <li>SKIM ({@link RequestSkimHandler}) reads the few fields the gateway needs with a streaming JSON parser.
 *   <li>IDENTIFY ({@link ClientIdentifyHandler}) tells Claude Code and Codex from other clients (user agent and system
 *       prompt must agree) and attaches the kind and the evidence to the request.
 *   <li>LIMITS ({@link KeyRulesHandler}) applies the key's model and client rules.
 *   <li>ADMIT ({@link io.relaygate.server.exchange.AdmissionHandler}) makes the one scheduler call (limits, lease,
 *       candidate accounts), answers refusals, and passes an {@link io.relaygate.server.exchange.Exchange} on.
 *   <li>RELAY ({@link io.relaygate.server.relay.UpstreamRelayHandler}) sends the request to the exchange's current
 *       account and streams the answer back; failover moves on to the next account before the first byte.
 *   <li>UPSTREAM_EVENT_STREAM ({@code relay.EventStreamToSseDecoder}) is there during a call to a {@code bedrock}
 *       account: it turns Bedrock's event-stream answer into Anthropic SSE before the call sees it.
 *   <li>UPSTREAM_H2 (Netty's frame codec), UPSTREAM_H2_MUX (a child channel per stream) and UPSTREAM_H2_LINK
 *       ({@code upstream.Http2Link}: settings, GOAWAY, PINGs, the stream count the pool reads); on a stream, the
 *       stream bootstrap's own handler, unnamed ({@code upstream.Http2StreamCodec}), turns frames into the HTTP/1.1
 *       objects the relay reads and back, adds a decompressor only for a compressed answer, and notes a stream the
 *       upstream never processed.
 * </ul>
 */
public final class PipelineNames {

    public static final String PROXY_PROTOCOL = "proxyProtocol";
    public static final String PROXY_PROTOCOL_HEADER = "proxyProtocolHeader";
    public static final String PROXY_PROTOCOL_SOURCE = "proxyProtocolSource";
    public static final String IDLE = "idle";
    public static final String REQUEST_START = "requestStart";
    public static final String HTTP_CODEC = "httpCodec";
    public static final String REQUEST_DEADLINE = "requestDeadline";
    public static final String KEEP_ALIVE = "keepAlive";
    public static final String FORWARDED = "forwarded";
    public static final String LEDGER = "ledger";
    public static final String ROUTE = "route";
    public static final String AUTH = "auth";
    public static final String AGGREGATOR = "aggregator";
    public static final String SKIM = "skim";
    public static final String IDENTIFY = "identify";
    public static final String LIMITS = "limits";
    public static final String ADMIT = "admit";
    public static final String RELAY = "relay";

    public static final String PROXY = "proxy";
    public static final String TLS = "tls";
    public static final String UPSTREAM_CODEC = "upstreamCodec";
    public static final String UPSTREAM_DECOMPRESS = "upstreamDecompress";
    public static final String UPSTREAM_EVENT_STREAM = "upstreamEventStream";
    public static final String UPSTREAM_RESPONSE = "upstreamResponse";
    public static final String UPSTREAM_ALPN = "upstreamAlpn";
    public static final String UPSTREAM_H2 = "upstreamH2";
    public static final String UPSTREAM_H2_MUX = "upstreamH2Mux";
    public static final String UPSTREAM_H2_LINK = "upstreamH2Link";
    public static final String TOKEN_AGGREGATOR = "tokenAggregator";
    public static final String TOKEN_ANSWER = "tokenAnswer";

    private PipelineNames() {}
}
