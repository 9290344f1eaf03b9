package io.guidance.deliver;

/**
 * Names of the delivery policy's keyed state. They identify state in checkpoints and savepoints:
 * never rename one; add a new name and migrate instead.
 */
public final class DeliveryStateNames {
    public static final String DISMISSED_GUIDES = "dismissed-guides";
    public static final String LAST_DELIVERED = "last-delivered";
    public static final String RECENT_DELIVERIES = "recent-deliveries";

    private DeliveryStateNames() {}
}
