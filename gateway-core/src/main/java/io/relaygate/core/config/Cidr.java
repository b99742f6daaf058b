package io.relaygate.core.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An address range in CIDR notation ({@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code ::1/128}, {@code fd00::/8}), for
 * the proxies whose forwarding headers the gateway trusts. Literal addresses only: a host name is refused, so parsing
 * never asks DNS. An IPv4 range also matches the same addresses written as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}).
 */
public record Cidr(String text, byte[] network, int prefixBits) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    public Cidr {
        network = network.clone();
    }

    /** Parses {@code value}; fails naming it and the expected form. */
    public static Cidr parse(String value) {
        String v = value.trim();
        int slash = v.indexOf('/');
        String address = slash < 0 ? v : v.substring(0, slash);
        if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
            throw new ConfigException(
                    "server.trustedProxies: " + value + " (expected: an IP address or CIDR range such as 10.0.0.0/8)");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("server.trustedProxies: " + value + " (expected: an IP address or CIDR range)");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(v.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new ConfigException(
                        "server.trustedProxies: " + value + " (expected: a prefix length 0.." + bytes.length * 8 + ")");
            }
        }
        return new Cidr(v, mask(bytes, bits), bits);
    }

    /** Whether {@code address} lies in this range. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(a, prefixBits), network);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] bytes, int bits) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr && ((Cidr) o).prefixBits == prefixBits && Arrays.equals(((Cidr) o).network, network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixBits;
    }

    @Override
    public String toString() {
        return text;
    }
}
