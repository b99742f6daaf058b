package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandSucceededEvent;
import io.relaygate.accounts.CommandObserver;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce's command events handed to the {@link CommandObserver} the server sets after the store is open (Lettuce
 * takes its listeners when the client is built, the server's metrics come later). Runs on Lettuce's I/O threads.
 */
final class CommandEvents implements CommandListener {

    private static final CommandObserver NONE = new CommandObserver() {
        @Override
        public void succeeded(String command, long nanos) {}

        @Override
        public void failed(String command) {}
    };

    private volatile CommandObserver observer = NONE;

    void observer(CommandObserver value) {
        observer = requireNonNull(value, "observer");
    }

    @Override
    public void commandSucceeded(CommandSucceededEvent event) {
        CommandObserver o = observer;
        if (o != NONE) {
            o.succeeded(event.getCommand().getType().toString(), event.getDuration(TimeUnit.NANOSECONDS));
        }
    }

    @Override
    public void commandFailed(CommandFailedEvent event) {
        CommandObserver o = observer;
        if (o != NONE) {
            o.failed(event.getCommand().getType().toString());
        }
    }
}
