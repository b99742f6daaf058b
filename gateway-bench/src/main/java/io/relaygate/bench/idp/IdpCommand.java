package io.relaygate.bench.idp;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code relaygate-bench idp}: the mock OpenID Connect provider as a process, the identity provider of manual sign-in
 * runs (for example a gateway under capture, testdata/clients/README.md). The client secret is read from the
 * environment variable {@code MOCK_IDP_CLIENT_SECRET}, never from the command line.
 */
public final class IdpCommand {

    public static final String HELP = """
            Usage: relaygate-bench idp --client-id ID [--port P] [--user NAME:EMAIL[:GROUP,GROUP...]]...

            Serves a small OpenID Connect provider on 127.0.0.1 (issuer http://127.0.0.1:<port>): discovery,
            /authorize (a form naming the user; /authorize/login?user=NAME&... signs in without the form),
            /token (authorization code with PKCE S256 and the client secret), /jwks (RS256).
            The client secret comes from the environment variable MOCK_IDP_CLIENT_SECRET.

              --client-id ID   the one OAuth client the provider knows
              --port P         port (default 0 = any free port)
              --user ...       a user who may sign in, with the groups put in the 'groups' claim (repeatable)""";

    private IdpCommand() {}

    /** Runs the command; returns the exit code, or -1 when the provider was started and keeps running. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        String clientId = null;
        int port = 0;
        List<String[]> users = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(HELP);
                return 0;
            }
            if (i + 1 >= args.length) {
                err.println(a + ": missing value (see --help)");
                return 2;
            }
            String v = args[++i];
            switch (a) {
                case "--client-id" -> clientId = v;
                case "--port" -> {
                    try {
                        port = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        err.println("--port: " + v + " is not a number");
                        return 2;
                    }
                }
                case "--user" -> {
                    String[] parts = v.split(":", 3);
                    if (parts.length < 2 || parts[0].isEmpty() || !parts[1].contains("@")) {
                        err.println("--user: expected NAME:EMAIL[:GROUP,GROUP...], got " + v);
                        return 2;
                    }
                    users.add(parts);
                }
                default -> {
                    err.println("unknown option: " + a + " (see --help)");
                    return 2;
                }
            }
        }
        String secret = System.getenv("MOCK_IDP_CLIENT_SECRET");
        if (clientId == null || secret == null || secret.isEmpty()) {
            err.println("idp needs --client-id and the environment variable MOCK_IDP_CLIENT_SECRET (see --help)");
            return 2;
        }
        MockIdentityProvider idp = MockIdentityProvider.start(clientId, secret, port);
        for (String[] u : users) {
            idp.user(u[0], u[1], u.length > 2 && !u[2].isEmpty() ? Arrays.asList(u[2].split(",")) : List.of());
        }
        out.println("Mock identity provider: issuer " + idp.issuer() + ", client " + clientId + ", " + users.size()
                + " user(s)");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            idp.close();
            stopped.countDown();
        }));
        stopped.await();
        return -1;
    }
}
