package io.guidance.event;

import io.guidance.serde.SingletonTypeInfo;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.NullableMapTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

/**
 * The type information of {@link Event}: serialized by {@link EventSerializer}. {@link Event} names
 * {@link Factory} in its {@code @TypeInfo}, so that type extraction ({@code
 * TypeInformation.of(Event.class)}, {@code .returns(Event.class)}, function signatures) picks it.
 */
public final class EventTypeInfo extends SingletonTypeInfo<Event> {
    private static final long serialVersionUID = 1L;

    public static final EventTypeInfo INSTANCE = new EventTypeInfo();

    /** For {@code @TypeInfo} on {@link Event}. */
    public static final class Factory extends TypeInfoFactory<Event> {
        @Override
        public TypeInformation<Event> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    private EventTypeInfo() {
        super(Event.class, EventSerializer.INSTANCE);
    }

    /**
     * The POJO type information that type extraction derived for {@link Event} before it had a
     * serializer of its own, field by field as the extractor built it (strings, a long, and props
     * as a {@link NullableMapTypeInfo}, which the extractor uses for map fields of a POJO). Kept
     * for state written with it: {@code Types.POJO(Event.class)} no longer works, since extraction
     * now returns {@link #INSTANCE}, and any other field type makes that state unreadable.
     */
    public static PojoTypeInfo<Event> asPojo() {
        List<PojoField> fields = new ArrayList<>();
        for (String name : List.of("eventId", "userId", "sessionId", "type", "page", "target")) {
            fields.add(field(name, Types.STRING));
        }
        fields.add(field("ts", Types.LONG));
        fields.add(field("props", new NullableMapTypeInfo<>(Types.STRING, Types.STRING)));
        return new PojoTypeInfo<>(Event.class, fields);
    }

    private static PojoField field(String name, TypeInformation<?> type) {
        try {
            return new PojoField(Event.class.getField(name), type);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("Event has no field " + name, e);
        }
    }
}
