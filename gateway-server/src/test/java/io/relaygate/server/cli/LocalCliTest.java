package io.relaygate.server.cli;

import java.util.Map;

class LocalCliTest extends CliContract {

    @Override
    Map<String, String> env() {
        return Map.of("RELAYGATE_DATA_DIR", dataDir.toString());
    }
}
