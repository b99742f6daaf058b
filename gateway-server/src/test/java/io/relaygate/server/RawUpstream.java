package io.relaygate.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted upstream of the tests' own: a plain socket server on an ephemeral loopback port that reads each request
 * and lets the test write any bytes at all as the answer (lies about lengths, HTTP/1.0, 1xx heads, stalls). It counts
 * connections and requests, so a test can tell whether the gateway reused a connection after a broken answer: a
 * script that keeps the connection ({@link Script#answer} returns true) waits there for the next request, which then
 * arrives on the same connection only if the gateway put it back in its pool.
 */
final class RawUpstream implements AutoCloseable {

    /** Writes the answer to one request. */
    interface Script {

        /**
         * @param head the request head, header names lower-cased
         * @param in the rest of the connection (to wait for the gateway to hang up)
         * @return whether the connection stays open for another request
         */
        boolean answer(String head, InputStream in, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    /** Requests that came on a connection that had served one before. */
    private final AtomicInteger reusedRequests = new AtomicInteger();

    private volatile Script script = (head, in, out) -> false;

    RawUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "raw-upstream");
        t.setDaemon(true);
        t.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void script(Script value) {
        script = value;
    }

    int connections() {
        return connections.get();
    }

    int requests() {
        return requests.get();
    }

    int reusedRequests() {
        return reusedRequests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "raw-upstream-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int served = 0;
            while (true) {
                String head = readRequest(in);
                if (head.isEmpty()) {
                    return;
                }
                requests.incrementAndGet();
                if (served++ > 0) {
                    reusedRequests.incrementAndGet();
                }
                if (!script.answer(head, in, out)) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the gateway hung up, or the test is over
        }
    }

    /** Reads one request (head and Content-Length body); returns its head lower-cased, empty at the end. */
    private static String readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4
                || head.charAt(head.length() - 1) != '\n'
                || !head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return "";
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return head.toString().toLowerCase(Locale.ROOT);
    }

    /** Blocks until the gateway closes the connection (or the test's sockets are closed). */
    static void awaitHangUp(InputStream in) {
        try {
            while (in.read() >= 0) {
                // drop anything else
            }
        } catch (IOException e) {
            // reset: hung up too
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
