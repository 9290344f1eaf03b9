package io.guidance.pipeline.discover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * SPEC section 8 read literally, for tests: a plain loop over users, actions, counts and days,
 * written from the SPEC's text and sharing no code with the job. Slow (users x cells x events) and
 * obviously right, which is the point.
 */
final class SpecDiscovery {
    static final long DAY = 86_400_000L;
    static final Set<String> FEEDBACK =
            Set.of("guide_shown", "guide_clicked", "guide_dismissed", "guide_completed");

    /** One expected cell, with the figures SPEC section 8 defines (null when absent). */
    record Expected(
            String action,
            int count,
            int days,
            long n11,
            long n10,
            long n01,
            long n00,
            double phi,
            double shareAbove,
            Double ppv,
            Double sensitivity,
            Double specificity,
            Double npv) {}

    record Ev(String id, String user, long ts, String type) {}

    final List<Ev> events = new ArrayList<>();
    long badLines;

    /** Reads JSON Lines the simple way: an object with the five required fields, or bad. */
    SpecDiscovery(List<Path> files) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> ids = new HashSet<>();
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = json.readTree(line);
                } catch (IOException e) {
                    badLines++;
                    continue;
                }
                if (n == null
                        || !n.isObject()
                        || !n.path("eventId").isTextual()
                        || !n.path("userId").isTextual()
                        || !n.path("sessionId").isTextual()
                        || !n.path("type").isTextual()
                        || !n.path("ts").isIntegralNumber()) {
                    badLines++;
                    continue;
                }
                if (ids.add(n.get("eventId").asText())) { // a duplicate id counts once
                    events.add(
                            new Ev(
                                    n.get("eventId").asText(),
                                    n.get("userId").asText(),
                                    n.get("ts").asLong(),
                                    n.get("type").asText()));
                }
            }
        }
    }

    List<Expected> cells(
            long fromMs,
            long toMs,
            int[] counts,
            int[] days,
            List<String> actionsOrNull,
            String retainedByOrNull) {
        long end = Long.MIN_VALUE;
        Map<String, Long> firstSeen = new HashMap<>();
        Set<String> types = new TreeSet<>();
        for (Ev e : events) {
            end = Math.max(end, e.ts());
            firstSeen.merge(e.user(), e.ts(), Math::min);
            types.add(e.type());
        }
        List<String> cohort = new ArrayList<>();
        for (Map.Entry<String, Long> u : firstSeen.entrySet()) {
            if (u.getValue() + toMs <= end) {
                cohort.add(u.getKey());
            }
        }
        Set<String> retained = new HashSet<>();
        for (Ev e : events) {
            long f = firstSeen.get(e.user());
            if ((retainedByOrNull == null || retainedByOrNull.equals(e.type()))
                    && e.ts() >= f + fromMs
                    && e.ts() < f + toMs) {
                retained.add(e.user());
            }
        }
        List<String> actions = new ArrayList<>();
        if (actionsOrNull == null) {
            for (String t : types) {
                if (!FEEDBACK.contains(t)) {
                    actions.add(t);
                }
            }
        } else {
            actions.addAll(new TreeSet<>(actionsOrNull));
        }
        Map<String, List<Ev>> byUser = new HashMap<>();
        for (Ev e : events) {
            byUser.computeIfAbsent(e.user(), u -> new ArrayList<>()).add(e);
        }
        List<Expected> out = new ArrayList<>();
        for (String a : actions) {
            for (int n : counts) {
                for (int d : days) {
                    long n11 = 0, n10 = 0, n01 = 0, n00 = 0;
                    for (String u : cohort) {
                        long f = firstSeen.get(u);
                        int k = 0;
                        for (Ev e : byUser.get(u)) {
                            if (e.type().equals(a) && e.ts() >= f && e.ts() < f + d * DAY) {
                                k++;
                            }
                        }
                        boolean x = k >= n;
                        boolean r = retained.contains(u);
                        if (x && r) n11++;
                        else if (x) n10++;
                        else if (r) n01++;
                        else n00++;
                    }
                    double product = (double) (n11 + n10) * (n01 + n00) * (n11 + n01) * (n10 + n00);
                    double phi =
                            product == 0
                                    ? 0
                                    : ((double) n11 * n00 - (double) n10 * n01)
                                            / Math.sqrt(product);
                    long total = n11 + n10 + n01 + n00;
                    out.add(
                            new Expected(
                                    a,
                                    n,
                                    d,
                                    n11,
                                    n10,
                                    n01,
                                    n00,
                                    phi,
                                    total == 0 ? 0 : (n11 + n10) / (double) total,
                                    div(n11, n11 + n10),
                                    div(n11, n11 + n01),
                                    div(n00, n00 + n10),
                                    div(n00, n00 + n01)));
                }
            }
        }
        return out;
    }

    private static Double div(long a, long b) {
        return b == 0 ? null : a / (double) b;
    }
}
