package io.guidance.time;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for a control stream such as the rules topic: none, and the stream is marked idle, so
 * that a topic that is quiet for days never holds back event time downstream (a two-input operator
 * otherwise waits for the slower input's watermark forever). Records still flow while the stream is
 * idle.
 */
public final class ControlStreamWatermarks<T> implements WatermarkGenerator<T> {

    public static <T> WatermarkStrategy<T> idle() {
        return WatermarkStrategy.forGenerator(ctx -> new ControlStreamWatermarks<T>());
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        output.markIdle();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
    }
}
