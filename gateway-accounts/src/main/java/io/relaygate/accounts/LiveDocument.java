package io.relaygate.accounts;

import static java.util.Objects.requireNonNull;

import io.relaygate.core.Secrets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An operator document as this instance uses it: an immutable snapshot ({@code T}) read from the store's {@link
 * Documents} at start and again whenever the change channel says it changed, the shipped default while the store has
 * none. The request path reads {@link #get()} only, a volatile read: no store command per request. A stored document
 * that does not parse (written by a newer version, or edited by hand in Redis) is logged and the current snapshot kept.
 *
 * @param <T> the snapshot type ({@code Catalogue}, {@code ClientSignatures})
 */
public final class LiveDocument<T> implements Supplier<T> {

    private static final Logger logger = LoggerFactory.getLogger(LiveDocument.class);

    private final Documents documents;
    private final String name;
    private final T base;
    private final Function<String, T> parse;
    private volatile T current;

    /**
     * @param base the snapshot used while the store holds no document (the shipped one, or the config's file)
     * @param parse reads the stored text; throws on a bad document
     */
    public LiveDocument(Documents documents, String name, T base, Function<String, T> parse) {
        this.documents = requireNonNull(documents, "documents");
        this.name = requireNonNull(name, "name");
        this.base = requireNonNull(base, "base");
        this.parse = requireNonNull(parse, "parse");
        Documents.changeKind(name);
        this.current = base;
    }

    @Override
    public T get() {
        return current;
    }

    /** Reads the stored document (or falls back to the base) and swaps the snapshot; completes with the new one. */
    public CompletionStage<T> reload() {
        CompletionStage<T> read;
        try {
            read = documents.get(name).thenApply(text -> text.map(parse).orElse(base));
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((next, e) -> {
            if (e != null) {
                logger.warn(
                        "the stored {} could not be used, keeping {}: {}",
                        name,
                        current,
                        Secrets.redact(String.valueOf(
                                e instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                        ? c.getCause().getMessage()
                                        : e.getMessage())));
                return current;
            }
            if (next != current) {
                logger.info("{} in use: {}", name, next);
            }
            current = next;
            return next;
        });
    }

    /**
     * Loads the stored document, waiting at most {@code timeoutMillis} (start-up only: the store may be slow or away,
     * then the base is used until the next change), and subscribes to the store's changes.
     *
     * @return closes the subscription
     */
    public AutoCloseable start(Store store, long timeoutMillis) {
        StoreChange.Kind kind = Documents.changeKind(name);
        AutoCloseable sub = store.changes().subscribe(change -> {
            if (change.kind() == kind || change.kind() == StoreChange.Kind.ALL) {
                reload();
            }
        });
        try {
            reload().toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            logger.warn("the stored {} was not read at start ({}); using {} until it is", name, e, current);
        }
        return sub;
    }
}
