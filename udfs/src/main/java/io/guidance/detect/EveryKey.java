package io.guidance.detect;

import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.state.KeyedStateFunction;

/** Applies a function to one keyed state of every key, as a broadcast function's context can. */
public interface EveryKey {
    <S extends State> void apply(
            StateDescriptor<S, ?> descriptor, KeyedStateFunction<String, S> function)
            throws Exception;
}
