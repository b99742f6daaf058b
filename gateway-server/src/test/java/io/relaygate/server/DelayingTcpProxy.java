package io.relaygate.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy of the tests' own on an ephemeral loopback port in front of a server (Redis): what the client sends is
 * held {@link #delayMillis(long)} before it goes on, so every command (or pipelined batch) the client writes takes that
 * much longer; answers go back at once. Blocking sockets and two threads a connection: it serves a handful of store
 * connections, not load.
 */
final class DelayingTcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;

    DelayingTcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "delaying-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on, each chunk the client sends waits this long before it is forwarded. */
    void delayMillis(long value) {
        delayMillis = value;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                sockets.add(client);
                sockets.add(target);
                pipe(client, target, true);
                pipe(target, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, boolean delayed) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            long d = delayed ? delayMillis : 0;
                            if (d > 0) {
                                Thread.sleep(d);
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the other side closed, or the proxy did
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "delaying-proxy-" + (delayed ? "up" : "down"));
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
