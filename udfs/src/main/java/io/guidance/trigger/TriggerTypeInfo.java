package io.guidance.trigger;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type information of {@link Trigger}: serialized by {@link TriggerSerializer}. {@link Trigger}
 * names {@link Factory} in its {@code @TypeInfo}, so that type extraction ({@code
 * TypeInformation.of(Trigger.class)}, {@code .returns(Trigger.class)}, function signatures) picks
 * it.
 */
public final class TriggerTypeInfo extends TypeInformation<Trigger> {
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

    private TriggerTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<Trigger> getTypeClass() {
        return Trigger.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<Trigger> createSerializer(SerializerConfig config) {
        return TriggerSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "TriggerTypeInfo";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TriggerTypeInfo;
    }

    @Override
    public int hashCode() {
        return TriggerTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof TriggerTypeInfo;
    }
}
