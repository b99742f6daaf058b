package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real nginx from Debian's packages, configured with deploy/nginx.conf's upstream and location settings. */
final class Nginx {

    static Process start(Path dir, int port, int first, int second) throws Exception {
        return start(dir, "listen 127.0.0.1:" + port + ";", first, second);
    }

    /**
     * The same, terminating TLS with {@code certificate} (PEM, the leaf first) and its {@code key}, as
     * docs/clients.md's TLS setup for sign-in does.
     */
    static Process startTls(Path dir, int port, int first, int second, Path certificate, Path key) throws Exception {
        return start(
                dir,
                "listen 127.0.0.1:" + port + " ssl;\n    ssl_certificate " + certificate + ";\n    ssl_certificate_key "
                        + key + ";",
                first,
                second);
    }

    private static Process start(Path dir, String listen, int first, int second) throws Exception {
        Path binary = binary();
        Files.createDirectories(dir.resolve("tmp"));
        String deploy = Files.readString(deployConf())
                .replace("server 127.0.0.1:3001 ", "server 127.0.0.1:" + first + " ")
                .replace("server 127.0.0.1:3002 ", "server 127.0.0.1:" + second + " ")
                .replace("listen 80;", listen);
        assertThat(deploy)
                .as("deploy/nginx.conf still has the lines this test fills in")
                .contains(":" + first);
        String conf = "worker_processes 1;\ndaemon off;\npid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n  access_log " + dir.resolve("access.log") + ";\n"
                + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
                + "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
                + "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
                + deploy + "\n}\n";
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, conf);
        ProcessBuilder pb = new ProcessBuilder(
                binary.toString(),
                "-p",
                dir.toString(),
                "-c",
                file.toString(),
                "-e",
                dir.resolve("error.log").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile());
        return pb.start();
    }

    /**
     * Stops nginx and its workers: SIGTERM first (the master's fast shutdown takes its workers down), SIGKILL to the
     * master and every worker it had when it does not stop in time; a killed master would leave its workers behind.
     */
    static void stop(Process nginx) throws InterruptedException {
        if (nginx == null) {
            return;
        }
        List<ProcessHandle> workers = nginx.descendants().toList();
        nginx.destroy();
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
            nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle worker : workers) {
            worker.destroyForcibly();
        }
    }

    private static Path deployConf() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("deploy").resolve("nginx.conf");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new AssertionError(
                "deploy/nginx.conf not found above " + Path.of("").toAbsolutePath());
    }

    /** nginx on this machine; installed from Debian's packages when missing and this process may (root). */
    private static Path binary() throws Exception {
        for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        Process install = new ProcessBuilder(
                        "sh",
                        "-c",
                        "(apt-get install -y -qq nginx-light || (apt-get update -qq && apt-get install -y -qq"
                                + " nginx-light)) >/dev/null 2>&1")
                .inheritIO()
                .start();
        if (!install.waitFor(5, TimeUnit.MINUTES)) {
            install.destroyForcibly();
        }
        if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
            return Path.of("/usr/sbin/nginx");
        }
        throw new AssertionError("DeployIT needs nginx (Debian package nginx-light): `.ci/run` installs it;"
                + " install it with apt-get install nginx-light");
    }
}
