package io.relaygate.server;

/** The console's API on the embedded store. */
class LocalConsoleApiIT extends ConsoleApiContract {

    @Override
    GatewayHarness start() throws Exception {
        return GatewayHarness.start();
    }
}
