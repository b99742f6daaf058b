package io.relaygate.accounts.store;

import io.relaygate.accounts.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

class LocalSignInStoreTest extends SignInStoreContract {

    @Override
    Store openStore(Map<String, String> env) {
        return LocalStore.open(
                dataDir,
                CredentialCipher.load(dataDir, env),
                StoreFactory.pepper(dataDir, env),
                com.github.benmanes.caffeine.cache.Ticker.systemTicker());
    }

    @Override
    String rawState() throws Exception {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".json"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining("\n"));
        }
    }
}
