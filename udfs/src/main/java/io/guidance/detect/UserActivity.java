package io.guidance.detect;

/**
 * When a user was first and last seen (ts of events evaluated), for threshold windows, comebacks
 * and retention.
 */
public class UserActivity {
    public long firstSeen;
    public long lastSeen;

    public UserActivity() {}

    UserActivity(long firstSeen, long lastSeen) {
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
    }
}
