package io.relaygate.server.upstream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 messages the relay speaks and the HTTP/2 header blocks of one stream, converted directly: a request's
 * head becomes its HEADERS (pseudo-headers from the request line and {@code Host}, names lower-cased, the
 * connection-specific headers of RFC 9113 section 8.2.2 and Netty's own extension headers left out), and a response's HEADERS become the head an
 * HTTP/1.1 upstream would send (no pseudo-headers, no {@code x-http2-stream-id}, {@code Transfer-Encoding:
 * chunked} when no {@code Content-Length} says where the body ends). What Netty's {@link HttpConversionUtil} does for
 * any message, without its URI parsing, translation maps and the header it adds only for the relay to remove it: the
 * per-request cost of the HTTP/2 arm in docs/benchmarks.md.
 */
final class Http2Messages {

    static final AsciiString HTTPS = AsciiString.cached("https");
    static final AsciiString HTTP = AsciiString.cached("http");

    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    /**
     * Headers of the answers: names not checked again (the HPACK decoder of {@link Http2Link#install} checked them as
     * HTTP/2 names: tokens, lower case), values checked (it does not, and an HTTP/1.1 client must not get a CR or LF).
     */
    private static final HttpHeadersFactory CHECKED_NAMES =
            DefaultHttpHeadersFactory.headersFactory().withNameValidation(false);

    private static final HttpHeadersFactory TRAILERS_FACTORY = DefaultHttpHeadersFactory.trailersFactory();

    private Http2Messages() {}

    /** The HEADERS of {@code request} (its head only: the body and trailers are the caller's), for {@code scheme}. */
    static Http2Headers requestHeaders(HttpRequest request, AsciiString scheme) {
        String uri = request.uri();
        HttpHeaders in = request.headers();
        if (uri.isEmpty() || uri.charAt(0) != '/') {
            // absolute or asterisk form: never what the relay sends, so Netty's general conversion is good enough
            in.set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), scheme);
            return HttpConversionUtil.toHttp2Headers(request, true);
        }
        // no validation: the names are the relay's own, already checked as HTTP/1.1 tokens (the client's by the server
        // codec, the gateway's by DefaultHttpHeaders), lower-cased here, and the connection-specific ones left out
        // below
        Http2Headers out = new DefaultHttp2Headers(false, in.size() + 4);
        out.method(request.method().asciiName()).scheme(scheme).path(uri);
        String host = in.get(HttpHeaderNames.HOST);
        if (host != null && !host.isEmpty()) {
            out.authority(host);
        }
        List<AsciiString> listed = connectionListed(in);
        Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            AsciiString name = AsciiString.of(e.getKey()).toLowerCase();
            if (connectionSpecific(name) || (listed != null && listed.contains(name))) {
                continue;
            }
            if (HttpHeaderNames.TE.contentEquals(name)) {
                if (AsciiString.containsIgnoreCase(e.getValue(), TRAILERS)) {
                    out.add(HttpHeaderNames.TE, TRAILERS);
                }
                continue;
            }
            out.add(name, e.getValue());
        }
        return out;
    }

    /**
     * The HTTP/1.1 object for a HEADERS frame of a response: the head ({@link io.netty.handler.codec.http.FullHttpResponse}
     * when the stream ends with it or it is interim, 1xx), or the trailers ({@link LastHttpContent}) when it carries no
     * {@code :status} and ends the stream.
     */
    static HttpObject response(int streamId, Http2Headers headers, boolean endStream) throws Http2Exception {
        CharSequence status = headers.status();
        if (status == null) {
            if (!endStream) {
                throw Http2Exception.streamError(
                        streamId,
                        Http2Error.PROTOCOL_ERROR,
                        "response HEADERS without :status that do not end the stream");
            }
            LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            copy(streamId, headers, trailers.trailingHeaders());
            return trailers;
        }
        HttpResponseStatus s;
        try {
            s = HttpResponseStatus.parseLine(status);
        } catch (IllegalArgumentException e) {
            throw Http2Exception.streamError(streamId, Http2Error.PROTOCOL_ERROR, e, "unreadable :status");
        }
        HttpResponse head = endStream || s.codeClass() == HttpStatusClass.INFORMATIONAL
                ? new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, s, Unpooled.EMPTY_BUFFER, CHECKED_NAMES, TRAILERS_FACTORY)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, s, CHECKED_NAMES);
        copy(streamId, headers, head.headers());
        if (!(head instanceof LastHttpContent) && !head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            head.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        return head;
    }

    private static void copy(int streamId, Http2Headers from, HttpHeaders to) throws Http2Exception {
        for (Map.Entry<CharSequence, CharSequence> e : from) {
            CharSequence name = e.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                if (!Http2Headers.PseudoHeaderName.isPseudoHeader(name)) {
                    throw Http2Exception.streamError(
                            streamId, Http2Error.PROTOCOL_ERROR, "invalid HTTP/2 header '%s'", name);
                }
                continue;
            }
            if (HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name)
                    || HttpHeaderNames.TRAILER.contentEquals(name)
                    || HttpHeaderNames.CONNECTION.contentEquals(name)) {
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                String was = to.get(HttpHeaderNames.COOKIE);
                to.set(HttpHeaderNames.COOKIE, was == null ? e.getValue() : was + "; " + e.getValue());
            } else {
                to.add(name, e.getValue());
            }
        }
    }

    private static boolean connectionSpecific(AsciiString name) {
        return HttpHeaderNames.HOST.contentEquals(name)
                || HttpHeaderNames.CONNECTION.contentEquals(name)
                || HttpHeaderNames.KEEP_ALIVE.contentEquals(name)
                || HttpHeaderNames.PROXY_CONNECTION.contentEquals(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEquals(name)
                || HttpHeaderNames.UPGRADE.contentEquals(name)
                || HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text().contentEquals(name)
                || HttpConversionUtil.ExtensionHeaderNames.SCHEME.text().contentEquals(name)
                || HttpConversionUtil.ExtensionHeaderNames.PATH.text().contentEquals(name);
    }

    /** The header names a {@code Connection} header lists (lower case), or null when there is none. */
    private static @Nullable List<AsciiString> connectionListed(HttpHeaders in) {
        if (!in.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        List<AsciiString> names = new ArrayList<>(2);
        for (String v : in.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : v.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    names.add(AsciiString.of(t).toLowerCase());
                }
            }
        }
        return names;
    }
}
