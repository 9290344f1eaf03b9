package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Settings that reach Flink's own configuration, and the refusal of bad values by key. */
class JobConfigTest {
    @Test
    void theWatermarkIntervalIsFiftyMillisecondsAndReachesFlink() {
        JobConfig defaults = JobConfig.defaults();
        assertThat(defaults.watermarkInterval()).isEqualTo(Duration.ofMillis(50));
        Configuration flink = FlinkSettings.from(defaults);
        assertThat(flink.toMap()).containsEntry("pipeline.auto-watermark-interval", "50 ms");

        JobConfig slower = JobConfig.of(Map.of("events.watermarkInterval", "200ms"));
        assertThat(FlinkSettings.forBoundedRun(slower).toMap())
                .containsEntry("pipeline.auto-watermark-interval", "200 ms");
    }

    @Test
    void aWatermarkIntervalOfZeroIsRefusedByName() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("events.watermarkInterval", "0s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("events.watermarkInterval")
                .hasMessageContaining("positive");
    }
}
