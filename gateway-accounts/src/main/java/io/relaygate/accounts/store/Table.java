package io.relaygate.accounts.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One collection of named records as a backend keeps it; {@link KeyTable} and {@link AccountTable} give it the
 * shapes of the SPI, so each backend implements the semantics (unique names, replace by id) once for both.
 */
interface Table<T> {

    CompletionStage<T> create(T value);

    CompletionStage<Optional<T>> findById(String id);

    CompletionStage<Optional<T>> findByName(String name);

    /** The record whose alternate key ({@link RecordCodec#alternate}) is {@code key}. */
    CompletionStage<Optional<T>> findByAlternate(String key);

    CompletionStage<List<T>> list();

    CompletionStage<T> update(T value);
}
