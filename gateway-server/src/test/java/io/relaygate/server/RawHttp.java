package io.relaygate.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads HTTP/1.1 responses off a raw socket's stream, the way a strict client would: status line, headers, then the
 * body by {@code content-length}, chunked coding, or to the end of the connection. Used where the JDK client cannot go:
 * requests no client would send.
 */
final class RawHttp {

    /** One response; {@code body} decoded from chunks. */
    record Response(int status, String head, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean closes() {
            return head.toLowerCase(Locale.ROOT).contains("\nconnection: close");
        }
    }

    private final InputStream in;

    RawHttp(InputStream in) {
        this.in = in;
    }

    /** The next final response (1xx are skipped), or null when the connection ended before a status line. */
    @Nullable
    Response read() throws IOException {
        while (true) {
            String head = readHead();
            if (head == null) {
                return null;
            }
            String[] statusLine = head.split("\r\n", 2)[0].split(" ", 3);
            int status = Integer.parseInt(statusLine[1]);
            if (status >= 100 && status < 200) {
                continue;
            }
            String lower = head.toLowerCase(Locale.ROOT);
            byte[] body;
            String length = header(lower, "content-length");
            if (lower.contains("\ntransfer-encoding: chunked")) {
                body = readChunked();
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.trim()));
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, head, body);
        }
    }

    /** Whether the server closes the connection (end of stream) before {@code SO_TIMEOUT}. */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // Drains whatever else comes (an error answer before the close).
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset is a close too.
            return true;
        }
    }

    private @Nullable String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = readOrEnd()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private int readOrEnd() throws IOException {
        try {
            return in.read();
        } catch (java.net.SocketException e) {
            // Reset by the server: no (more) response.
            return -1;
        }
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // Trailers.
                }
                return body.toByteArray();
            }
            body.writeBytes(in.readNBytes(size));
            readLine();
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0) {
            throw new IOException("connection ended inside a chunked body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static @Nullable String header(String lowerHead, String name) {
        int at = lowerHead.indexOf("\r\n" + name + ":");
        if (at < 0) {
            return null;
        }
        int start = at + name.length() + 3;
        int end = lowerHead.indexOf("\r\n", start);
        return lowerHead.substring(start, end);
    }
}
