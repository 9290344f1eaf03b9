package io.guidance.trigger;

import io.guidance.serde.SingletonTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The type information of {@link Trigger}: serialized by {@link TriggerSerializer}. {@link Trigger}
 * names {@link Factory} in its {@code @TypeInfo}, so that type extraction ({@code
 * TypeInformation.of(Trigger.class)}, {@code .returns(Trigger.class)}, function signatures) picks
 * it.
 */
public final class TriggerTypeInfo extends SingletonTypeInfo<Trigger> {
    private static final long serialVersionUID = 1L;

    public static final TriggerTypeInfo INSTANCE = new TriggerTypeInfo();

    /** For {@code @TypeInfo} on {@link Trigger}. */
    public static final class Factory extends TypeInfoFactory<Trigger> {
        @Override
        public TypeInformation<Trigger> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    private TriggerTypeInfo() {
        super(Trigger.class, TriggerSerializer.INSTANCE);
    }
}
