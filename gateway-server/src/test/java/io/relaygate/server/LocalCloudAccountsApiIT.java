package io.relaygate.server;

/** Cloud accounts through the admin API on the embedded store. */
class LocalCloudAccountsApiIT extends CloudAccountsApiContract {

    @Override
    GatewayHarness start() throws Exception {
        return GatewayHarness.start();
    }
}
