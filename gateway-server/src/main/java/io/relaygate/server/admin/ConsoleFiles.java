package io.relaygate.server.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The console's static files, read once from the jar: the operator UI under {@code /ui/}, the key holder's page at
 * {@code /me}, and uPlot (the charts) from its WebJar under {@code /ui/vendor/}. Every file has a strong ETag (a
 * digest of its bytes) and is revalidated on each load ({@code Cache-Control: no-cache}, 304 when unchanged), is
 * served gzipped to browsers that accept it, and carries the console's Content-Security-Policy.
 */
final class ConsoleFiles {

    private static final String ROOT = "io/relaygate/console/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /** One file ready to serve. */
    record File(String contentType, byte[] bytes, byte[] gzipped, String etag) {}

    private final Map<String, File> files;

    private ConsoleFiles(Map<String, File> files) {
        this.files = Map.copyOf(files);
    }

    /** Loads every file listed in the console's {@code files.txt} and uPlot's script and stylesheet. */
    static ConsoleFiles load() {
        ClassLoader cl = ConsoleFiles.class.getClassLoader();
        Map<String, File> files = new LinkedHashMap<>();
        String list = new String(read(cl, ROOT + "files.txt"), StandardCharsets.UTF_8);
        for (String line : list.split("\n")) {
            String name = line.trim();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            files.put(name, file(name, read(cl, ROOT + name)));
        }
        Properties uplot = new Properties();
        try (InputStream in = cl.getResourceAsStream(UPLOT_POM)) {
            if (in == null) {
                throw new IllegalStateException(UPLOT_POM + " missing from the classpath (the uplot WebJar)");
            }
            uplot.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dist = "META-INF/resources/webjars/uplot/" + uplot.getProperty("version") + "/dist/";
        files.put("vendor/uPlot.iife.min.js", file("x.js", read(cl, dist + "uPlot.iife.min.js")));
        files.put("vendor/uPlot.min.css", file("x.css", read(cl, dist + "uPlot.min.css")));
        return new ConsoleFiles(files);
    }

    /** The file a console path names ({@code /ui/}, {@code /ui/app.js}, {@code /me}), or null. */
    @Nullable
    File find(String path) {
        if (path.equals("/ui/") || path.equals("/ui/index.html")) {
            return files.get("index.html");
        }
        if (path.equals("/me") || path.equals("/me/")) {
            return files.get("me.html");
        }
        if (path.startsWith("/ui/")) {
            String name = path.substring("/ui/".length());
            return name.endsWith(".html") ? null : files.get(name);
        }
        return null;
    }

    /** Every file by name (page-weight reports). */
    Map<String, File> all() {
        return files;
    }

    /** Answers a GET for {@code file}: 304 when the browser has it, gzipped when it takes that. */
    static void serve(ChannelHandlerContext ctx, HttpRequest request, File file, String requestId) {
        Map<String, String> headers = new HashMap<>();
        headers.put("cache-control", "no-cache");
        headers.put("etag", file.etag());
        headers.put("vary", "accept-encoding");
        String match = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        if (match != null && match.contains(file.etag())) {
            AdminHttp.send(ctx, 304, file.contentType(), new byte[0], requestId, headers);
            return;
        }
        String accept = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
        if (accept != null && accept.contains("gzip")) {
            headers.put("content-encoding", "gzip");
            AdminHttp.send(ctx, 200, file.contentType(), file.gzipped(), requestId, headers);
        } else {
            AdminHttp.send(ctx, 200, file.contentType(), file.bytes(), requestId, headers);
        }
    }

    private static File file(String name, byte[] bytes) {
        return new File(contentType(name), bytes, gzip(bytes), etag(bytes));
    }

    static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (name.endsWith(".json")) {
            return "application/json";
        }
        if (name.endsWith(".svg")) {
            return "image/svg+xml";
        }
        throw new IllegalArgumentException(
                "console file " + name + ": unknown type (expected: html, js, css, json, svg)");
    }

    private static byte[] read(ClassLoader cl, String resource) {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
