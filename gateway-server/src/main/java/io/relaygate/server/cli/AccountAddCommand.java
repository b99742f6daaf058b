package io.relaygate.server.cli;

import io.relaygate.accounts.Names;
import io.relaygate.accounts.Store;
import io.relaygate.core.Account;
import io.relaygate.core.AccountHeaders;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.Secrets;
import io.relaygate.server.admin.Audit;
import io.relaygate.server.admin.OAuthOnboarding;
import io.relaygate.server.admin.UsageException;
import io.relaygate.server.admin.Views;
import io.relaygate.server.upstream.TokenEndpoint;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * {@code accounts add} and {@code accounts oauth-url}: reads a new account from the command line, its credential from
 * the option, the environment variable or the sign-in it names, and stores it (credentials encrypted, never printed).
 */
final class AccountAddCommand {

    static final String HELP = """
            Usage: relaygate accounts add --kind K --name N --base-url URL [options]

              --kind K                anthropic-api, claude-oauth, openai-api, codex-oauth, azure-openai,
                                      openai-compatible, bedrock or vertex
              --name N                the account's unique name
              --base-url URL          where its API lives, e.g. https://api.anthropic.com
              --api-key KEY           its API key or access token (stored encrypted)
              --api-key-env VAR       read the key from environment variable VAR instead (keeps it out of
                                      the shell history)
              --proxy URL             socks5://[user:pass@]host:port or http://[user:pass@]host:port
              --trust-certificates F  PEM file of the certificates to trust for this account's TLS (a private
                                      CA, a corporate TLS proxy); default: the JDK's trust store
              --priority N            lower is preferred (default 50)
              --group G               account group a key can be bound to
              --models a,b            models it serves (default: any)
              --model-map k=v,...     model or tier (haiku, sonnet, opus) to upstream model
              --header 'Name: value'  an extra header sent on every upstream request of the account (repeat for
                                      more; stored encrypted, listed by name only; not hop-by-hop or credential
                                      headers, which the gateway sets)
              --config FILE           the gateway's config file (default: environment only)

            Subscription accounts (claude-oauth, codex-oauth) sign in with one of:
              --oauth-code CODE --oauth-verifier V   the code Claude's sign-in page shows (ChatGPT: the address
                                      the browser ended on), and the verifier printed by `accounts oauth-url`
                                      (exchanged for tokens at once)
              --refresh-token-env VAR a refresh token from the environment (tokens fetched on first use)
              --codex-auth-file FILE  Codex CLI's auth.json (after `codex login`)
              --api-key-env VAR       a long-lived access token (e.g. from `claude setup-token`; never refreshed)
              --token-url URL         the token endpoint (default: Anthropic's / OpenAI's)
              --client-id ID          the OAuth client id (default: Claude Code's / Codex CLI's)
            Access tokens are refreshed before they expire and once after a 401, by one gateway at a time.
              --json                  print the account as JSON (without its credential)
            """ + CloudAccountOptions.HELP;

    static final Set<String> OPTIONS = Stream.concat(
                    CloudAccountOptions.OPTIONS.stream(),
                    Stream.of(
                            "config",
                            "kind",
                            "name",
                            "base-url",
                            "api-key",
                            "api-key-env",
                            "proxy",
                            "priority",
                            "group",
                            "models",
                            "model-map",
                            "refresh-token-env",
                            "codex-auth-file",
                            "token-url",
                            "client-id",
                            "oauth-code",
                            "oauth-verifier",
                            "header",
                            "trust-certificates"))
            .collect(Collectors.toUnmodifiableSet());

    private AccountAddCommand() {}

    static int add(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        AccountKind kind = Args.convert(
                "kind", args.required("kind"), AccountKind::fromWireName, "one of the kinds in accounts add --help");
        String name = args.required("name");
        Args.validated(() -> Names.check("name", name));
        String group = args.value("group");
        if (group != null) {
            Args.validated(() -> Names.check("group", group));
        }
        String credential = kind.cloud()
                ? CloudAccountOptions.credential(cli, args, kind)
                : OAuthTokens.isOAuth(kind) ? oauthCredential(cli, args, kind) : credential(cli, args);
        String given = args.value("base-url");
        String baseUrl = given == null && kind.cloud() && credential != null
                ? CloudAccountOptions.defaultBaseUrl(kind, credential)
                : args.required("base-url");
        Integer priority = args.value("priority", Integer::parseInt, "a whole number");
        Account account = Args.validated(() -> new Account(
                Ids.random(10),
                name,
                kind,
                baseUrl,
                credential,
                args.value("proxy"),
                priority == null ? Account.DEFAULT_PRIORITY : priority,
                true,
                group,
                args.list("models"),
                args.map("model-map"),
                Instant.now(),
                trustCertificates(args),
                headers(args)));
        try (Store store = cli.openStore(args)) {
            Account added = Cli.await(store.accounts().create(account));
            Audit.change(cli.actor, "accounts.add", "account:" + added.name(), null, Views.account(added));
            if (args.flag("json")) {
                cli.printJson(Views.account(added));
            } else {
                cli.out.println("Added account " + added.name() + " ("
                        + added.kind().wireName() + ", "
                        + Secrets.redactUrl(added.baseUrl()) + ", priority " + added.priority()
                        + (added.credential() == null ? ", no credential" : ", credential stored encrypted") + ").");
            }
        }
        return 0;
    }

    static final String OAUTH_URL_HELP = """
            Usage: relaygate accounts oauth-url [--kind claude-oauth|codex-oauth] [--authorize-url URL]
                                                [--client-id ID]

            Prints a Claude (default) or ChatGPT sign-in URL and the PKCE verifier that goes with it. Open the URL,
            sign in with the subscription, copy the code the page shows (ChatGPT: the whole address the browser
            ends on, http://localhost:1455/auth/callback?code=…, even though that page does not load), then:
              relaygate accounts add --kind claude-oauth --name N --base-url https://api.anthropic.com \\
                  --oauth-code CODE --oauth-verifier VERIFIER
            (ChatGPT subscriptions can also sign in with `codex login` and add --codex-auth-file ~/.codex/auth.json.)""";

    static int oauthUrl(Cli cli, Args args) {
        if (args.flag("help")) {
            cli.out.println(OAUTH_URL_HELP);
            return 0;
        }
        KeysCommand.noPositionals(args);
        String kind = args.value("kind");
        boolean codex = AccountKind.CODEX_OAUTH.wireName().equals(kind);
        if (kind != null && !codex && !kind.equals(AccountKind.CLAUDE_OAUTH.wireName())) {
            throw new UsageException("--kind: " + kind + " (expected: claude-oauth or codex-oauth)");
        }
        OAuthOnboarding.Pkce pkce = OAuthOnboarding.Pkce.create();
        String clientId = args.value("client-id");
        String authorize = args.value("authorize-url");
        String url = codex
                ? OAuthOnboarding.codexAuthorizeUrl(
                        pkce,
                        authorize != null ? authorize : OAuthOnboarding.CODEX_AUTHORIZE_URL,
                        clientId != null ? clientId : OAuthTokens.CODEX_CLIENT_ID)
                : OAuthOnboarding.claudeAuthorizeUrl(
                        pkce,
                        authorize != null ? authorize : OAuthTokens.CLAUDE_AUTHORIZE_URL,
                        clientId != null ? clientId : OAuthTokens.CLAUDE_CLIENT_ID);
        if (args.flag("json")) {
            cli.printJson(Cli.JSON.createObjectNode().put("url", url).put("verifier", pkce.verifier()));
        } else {
            cli.out.println(
                    codex
                            ? "Open this URL, sign in, and copy the address the browser ends on (localhost:1455…):"
                            : "Open this URL, sign in, and copy the code the page shows:");
            cli.out.println("  " + url);
            cli.out.println("Then add the account with --oauth-code <code> --oauth-verifier " + pkce.verifier());
        }
        return 0;
    }

    /** The token set of a subscription account, from whichever sign-in option was given. */
    private static @Nullable String oauthCredential(Cli cli, Args args, AccountKind kind) {
        String tokenUrl = args.value("token-url");
        String clientId = args.value("client-id");
        String code = args.value("oauth-code");
        String refreshVar = args.value("refresh-token-env");
        String authFile = args.value("codex-auth-file");
        int given = (code != null ? 1 : 0)
                + (refreshVar != null ? 1 : 0)
                + (authFile != null ? 1 : 0)
                + (args.value("api-key") != null || args.value("api-key-env") != null ? 1 : 0);
        if (given > 1) {
            throw new UsageException("--oauth-code, --refresh-token-env, --codex-auth-file and --api-key(-env):"
                    + " more than one given (expected: one way to sign in)");
        }
        if (code != null) {
            String verifier = args.value("oauth-verifier");
            if (verifier == null) {
                throw new UsageException(
                        "--oauth-verifier: required with --oauth-code (printed by accounts oauth-url)");
            }
            // the sign-in goes the way the account's requests will: through its proxy, trusting its certificates
            try (TokenEndpoint endpoint =
                    TokenEndpoint.standalone(cli.config(args.configFile()).upstream())) {
                if (kind == AccountKind.CODEX_OAUTH) {
                    return OAuthOnboarding.exchangeCodexCode(
                                    endpoint,
                                    code,
                                    verifier,
                                    tokenUrl,
                                    clientId,
                                    args.value("proxy"),
                                    trustCertificates(args))
                            .encode();
                }
                return OAuthOnboarding.exchangeClaudeCode(
                                endpoint,
                                code,
                                verifier,
                                tokenUrl,
                                clientId,
                                args.value("proxy"),
                                trustCertificates(args))
                        .encode();
            }
        }
        if (refreshVar != null) {
            String refresh = cli.env.get(refreshVar);
            if (refresh == null || refresh.isBlank()) {
                throw new UsageException("--refresh-token-env: " + refreshVar + " is not set in the environment");
            }
            return OAuthOnboarding.fromRefreshToken(refresh, tokenUrl, clientId).encode();
        }
        if (authFile != null) {
            return OAuthOnboarding.fromCodexAuthFile(java.nio.file.Path.of(authFile), tokenUrl, clientId)
                    .encode();
        }
        return credential(cli, args);
    }

    /** The {@code --header 'Name: value'} options, in order. */
    static java.util.Map<String, String> headers(Args args) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String line : args.values("header")) {
            java.util.Map.Entry<String, String> e = Args.validated(() -> AccountHeaders.parseLine(line));
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static @Nullable String trustCertificates(Args args) {
        String file = args.value("trust-certificates");
        if (file == null) {
            return null;
        }
        java.nio.file.Path path = java.nio.file.Path.of(file).toAbsolutePath();
        if (!java.nio.file.Files.isReadable(path)) {
            throw new UsageException("--trust-certificates: " + file + " is not a readable file");
        }
        return path.toString();
    }

    private static @Nullable String credential(Cli cli, Args args) {
        String direct = args.value("api-key");
        String variable = args.value("api-key-env");
        if (direct != null && variable != null) {
            throw new UsageException("--api-key and --api-key-env: both given (expected: at most one)");
        }
        if (variable == null) {
            return direct;
        }
        String fromEnv = cli.env.get(variable);
        if (fromEnv == null || fromEnv.isBlank()) {
            throw new UsageException("--api-key-env: " + variable + " is not set in the environment");
        }
        return fromEnv.trim();
    }
}
