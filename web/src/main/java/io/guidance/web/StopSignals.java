package io.guidance.web;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, handled by the service rather than by the JVM's default
 * (which runs the shutdown hooks and exits with 143): the service stops gracefully and the process
 * exits 0, which is how an orchestrator tells a clean stop from a crash. A second signal while
 * stopping ends the process at once.
 */
final class StopSignals {
    private StopSignals() {}

    /**
     * Runs {@code stop} on the first SIGTERM or SIGINT.
     *
     * @return false where these signals cannot be handled (the shutdown hook then stops the
     *     service)
     */
    static boolean install(Runnable stop) {
        AtomicBoolean requested = new AtomicBoolean();
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(
                        new Signal(name),
                        signal -> {
                            if (requested.compareAndSet(false, true)) {
                                stop.run();
                            } else {
                                Runtime.getRuntime().halt(128 + signal.getNumber());
                            }
                        });
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
