package io.relaygate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.relaygate.core.config.Cidr;
import io.relaygate.core.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who the client is, for logs, the security log's per-address summary and rules: the socket's peer, unless that peer is
 * a trusted proxy ({@code server.trustedProxies}), in which case the address it forwarded: the PROXY protocol header's
 * source for the connection, then per request the rightmost {@code X-Forwarded-For} hop that is not itself a trusted
 * proxy. Headers from an untrusted peer are ignored: anyone can write them.
 */
public final class ClientAddress {

    /** The address a trusted proxy named in the connection's PROXY protocol header. */
    static final AttributeKey<String> CONNECTION = AttributeKey.valueOf(ClientAddress.class, "connection");
    /** The address resolved for the request being read. */
    static final AttributeKey<String> REQUEST = AttributeKey.valueOf(ClientAddress.class, "request");

    private final List<Cidr> trusted;

    public ClientAddress(List<Cidr> trusted) {
        this.trusted = List.copyOf(trusted);
    }

    /** The client's address for {@code ch}'s current request (IP text, no port). */
    public static String of(Channel ch) {
        String a = ch.attr(REQUEST).get();
        if (a != null) {
            return a;
        }
        String c = ch.attr(CONNECTION).get();
        return c != null ? c : host(ch.remoteAddress());
    }

    /** Whether {@code peer} is one of the trusted proxies. */
    public boolean trusts(@Nullable SocketAddress peer) {
        return peer instanceof InetSocketAddress && trusts(((InetSocketAddress) peer).getAddress());
    }

    boolean trusts(@Nullable InetAddress address) {
        if (address == null) {
            return false;
        }
        for (Cidr c : trusted) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client of a request that arrived from {@code peer} (the connection's address) with these
     * {@code X-Forwarded-For} values (each a comma-separated list, in header order): walking from the right, the first
     * hop that is not a trusted proxy; the leftmost when every hop is trusted; {@code peer} itself when it is not
     * trusted or named nobody. A hop that is not an IP literal ends the walk there (it cannot be checked).
     */
    String resolve(String peer, List<String> forwardedFor) {
        if (forwardedFor.isEmpty() || !trusts(literal(peer))) {
            return peer;
        }
        String client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = strip(hops[i]);
                if (hop.isEmpty()) {
                    continue;
                }
                InetAddress a = literal(hop);
                if (a == null) {
                    return client;
                }
                client = hop;
                if (!trusts(a)) {
                    return client;
                }
            }
        }
        return client;
    }

    /** A hop without port and brackets: {@code [2001:db8::1]:443} → {@code 2001:db8::1}, {@code 1.2.3.4:80} → {@code 1.2.3.4}. */
    private static String strip(String hop) {
        String h = hop.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        return colon > 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
    }

    /** {@code text} as an address when it is an IP literal (never a DNS lookup), else null. */
    static @Nullable InetAddress literal(String text) {
        if (text.indexOf('/') >= 0) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Cidr.parse(text).network());
        } catch (ConfigException | UnknownHostException e) {
            return null;
        }
    }

    /** The host part of a socket address, without the port (failures from one host share a window). */
    static String host(@Nullable SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress s = (InetSocketAddress) address;
            return s.getAddress() != null ? s.getAddress().getHostAddress() : s.getHostString();
        }
        return String.valueOf(address);
    }
}
