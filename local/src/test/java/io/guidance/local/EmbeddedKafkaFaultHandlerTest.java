package io.guidance.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.server.fault.FaultHandler;
import org.junit.jupiter.api.Test;

/**
 * A fatal Kafka fault must fail the embedding code, not halt the JVM that runs the tests or the
 * demo.
 */
class EmbeddedKafkaFaultHandlerTest {

    @Test
    void fatalFaultsRunTheirActionAndComeBackAsExceptions() {
        AtomicInteger actions = new AtomicInteger();
        FaultHandler handler =
                new EmbeddedKafka.NonHaltingFaultHandlerFactory("127.0.0.1:1")
                        .build("controller startup", true, actions::incrementAndGet);

        IllegalStateException cause = new IllegalStateException("cannot bind");
        RuntimeException returned = handler.handleFault("caught exception", cause);

        assertThat(actions).hasValue(1);
        assertThat(returned)
                .hasMessageContaining("controller startup")
                .hasMessageContaining("caught exception")
                .hasCause(cause);
    }

    @Test
    void nonFatalFaultsAreOnlyLogged() {
        AtomicInteger actions = new AtomicInteger();
        FaultHandler handler =
                new EmbeddedKafka.NonHaltingFaultHandlerFactory("127.0.0.1:1")
                        .build("metadata publishing", false, actions::incrementAndGet);

        assertThat(handler.handleFault("publishing failed", new RuntimeException("boom")))
                .isNotNull();
        assertThat(actions).hasValue(1);
    }
}
