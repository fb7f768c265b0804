package io.atrium.server.campaign;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.segment.RuleValidator;

import org.springframework.boot.convert.DurationStyle;

/**
 * A campaign as data (docs/campaigns.md): a trigger, an optional audience, steps, a goal and a
 * contact policy. {@link #parse} checks every node and names the JSON path of each problem.
 */
public record CampaignDefinition(String name, String purpose, Trigger trigger, Long audienceSegment, boolean reentry,
                                 Goal goal, Policy policy, List<Step> steps) {

    public record Problem(String path, String message) {
    }

    /** What starts a journey. {@code type}: event, segment_entered, broadcast, schedule. */
    public record Trigger(String type, String event, Map<String, JsonNode> where, Long segment, LocalDateTime at,
                          Duration every, ZoneId timeZone) {
    }

    public record Goal(String event, Duration within) {
    }

    public record Cap(int max, Duration per) {
    }

    /** Quiet hours (from/to, in the person's time zone), caps per channel and in total ({@code total}). */
    public record Policy(LocalTime quietFrom, LocalTime quietTo, ZoneId timeZone, Map<String, Cap> caps) {
        static Policy none() {
            return new Policy(null, null, null, Map.of());
        }
    }

    /** One channel of a cascade (or of a send): where to fall back from, unless {@code until} is reached within {@code within}. */
    public record ChannelStep(String channel, String template, String until, Duration within) {
    }

    /**
     * A step. {@code type}: send (channels has one entry), cascade, wait (duration, untilTime, or
     * event with timeout), branch (condition, then, otherwise), exit.
     */
    public record Step(String id, String type, List<ChannelStep> channels, Duration duration, LocalTime untilTime,
                       String event, Duration timeout, JsonNode condition, String then, String otherwise) {
    }

    static final Set<String> TRIGGERS = Set.of("event", "segment_entered", "broadcast", "schedule");
    static final Set<String> STEP_TYPES = Set.of("send", "cascade", "wait", "branch", "exit");
    static final Set<String> UNTIL = Set.of("sent", "delivered", "opened", "clicked");
    static final Set<String> TOP = Set.of("name", "purpose", "trigger", "audience", "reentry", "goal", "policy", "steps");

    /** Reads a definition; {@code problems} gets every problem (the result is null when there are any). */
    public static CampaignDefinition parse(JsonNode n, List<Problem> problems) {
        if (n == null || !n.isObject()) {
            problems.add(new Problem("$", "a campaign is a JSON object with name, trigger and steps"));
            return null;
        }
        unknown(n, TOP, "$", problems);
        String name = text(n, "name", "$.name", true, problems);
        String purpose = n.has("purpose") ? text(n, "purpose", "$.purpose", true, problems) : "marketing";
        if (purpose != null && !purpose.equals("marketing") && !purpose.equals("transactional")) {
            problems.add(new Problem("$.purpose", "must be marketing or transactional"));
        }
        Trigger trigger = trigger(n.get("trigger"), problems);
        Long audience = null;
        if (n.has("audience")) {
            JsonNode a = n.get("audience");
            if (a.isObject() && a.path("segment").canConvertToLong() && a.path("segment").isIntegralNumber()) {
                audience = a.get("segment").asLong();
                unknown(a, Set.of("segment"), "$.audience", problems);
            } else {
                problems.add(new Problem("$.audience", "must be {\"segment\": <segment id>}"));
            }
        }
        if (trigger != null && (trigger.type().equals("broadcast") || trigger.type().equals("schedule")) && audience == null) {
            problems.add(new Problem("$.audience", "a " + trigger.type() + " campaign needs an audience: {\"segment\": <segment id>}"));
        }
        boolean reentry = false;
        if (n.has("reentry")) {
            if (n.get("reentry").isBoolean()) {
                reentry = n.get("reentry").asBoolean();
            } else {
                problems.add(new Problem("$.reentry", "must be true or false"));
            }
        }
        Goal goal = null;
        if (n.has("goal")) {
            JsonNode g = n.get("goal");
            unknown(g, Set.of("event", "within"), "$.goal", problems);
            String ev = text(g, "event", "$.goal.event", true, problems);
            Duration within = g.has("within") ? duration(g, "within", "$.goal.within", problems) : Duration.ofDays(7);
            goal = ev == null ? null : new Goal(ev, within);
        }
        Policy policy = n.has("policy") ? policy(n.get("policy"), problems) : Policy.none();
        List<Step> steps = steps(n.get("steps"), problems);
        if (!problems.isEmpty()) {
            return null;
        }
        return new CampaignDefinition(name, purpose, trigger, audience, reentry, goal, policy, steps);
    }

    private static Trigger trigger(JsonNode t, List<Problem> problems) {
        String p = "$.trigger";
        if (t == null || !t.isObject()) {
            problems.add(new Problem(p, "required: {\"type\": one of " + sorted(TRIGGERS) + ", ...}"));
            return null;
        }
        String type = text(t, "type", p + ".type", true, problems);
        if (type == null) {
            return null;
        }
        switch (type) {
            case "event" -> {
                unknown(t, Set.of("type", "event", "where"), p, problems);
                String ev = text(t, "event", p + ".event", true, problems);
                Map<String, JsonNode> where = new LinkedHashMap<>();
                if (t.has("where")) {
                    if (t.get("where").isObject()) {
                        t.get("where").fields().forEachRemaining(e -> where.put(e.getKey(), e.getValue()));
                    } else {
                        problems.add(new Problem(p + ".where", "must be an object of event property to value"));
                    }
                }
                return new Trigger(type, ev, where, null, null, null, null);
            }
            case "segment_entered" -> {
                unknown(t, Set.of("type", "segment"), p, problems);
                if (!t.path("segment").isIntegralNumber()) {
                    problems.add(new Problem(p + ".segment", "required: the id of the segment whose entrants start the campaign"));
                    return null;
                }
                return new Trigger(type, null, Map.of(), t.get("segment").asLong(), null, null, null);
            }
            case "broadcast" -> {
                unknown(t, Set.of("type"), p, problems);
                return new Trigger(type, null, Map.of(), null, null, null, null);
            }
            case "schedule" -> {
                unknown(t, Set.of("type", "at", "every", "timeZone"), p, problems);
                ZoneId zone = t.has("timeZone") ? zone(t, "timeZone", p + ".timeZone", problems) : ZoneId.of("UTC");
                LocalDateTime at = null;
                String atText = text(t, "at", p + ".at", true, problems);
                if (atText != null) {
                    try {
                        at = LocalDateTime.parse(atText);
                    } catch (DateTimeParseException e) {
                        problems.add(new Problem(p + ".at", "must be a local date and time such as 2026-12-24T10:00 (in timeZone)"));
                    }
                }
                Duration every = t.has("every") ? duration(t, "every", p + ".every", problems) : null;
                return new Trigger(type, null, Map.of(), null, at, every, zone);
            }
            default -> {
                problems.add(new Problem(p + ".type", "unknown trigger '" + type + "'; one of " + sorted(TRIGGERS)));
                return null;
            }
        }
    }

    private static Policy policy(JsonNode n, List<Problem> problems) {
        String p = "$.policy";
        if (!n.isObject()) {
            problems.add(new Problem(p, "must be an object with quietHours, timeZone, caps"));
            return Policy.none();
        }
        unknown(n, Set.of("quietHours", "timeZone", "caps"), p, problems);
        LocalTime from = null;
        LocalTime to = null;
        if (n.has("quietHours")) {
            JsonNode q = n.get("quietHours");
            unknown(q, Set.of("from", "to"), p + ".quietHours", problems);
            from = time(q, "from", p + ".quietHours.from", problems);
            to = time(q, "to", p + ".quietHours.to", problems);
        }
        ZoneId zone = n.has("timeZone") ? zone(n, "timeZone", p + ".timeZone", problems) : null;
        Map<String, Cap> caps = new LinkedHashMap<>();
        if (n.has("caps")) {
            JsonNode c = n.get("caps");
            if (!c.isObject()) {
                problems.add(new Problem(p + ".caps", "must be an object: {\"total\": {\"max\": 1, \"per\": \"1d\"}, \"email\": {...}}"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String cp = p + ".caps." + e.getKey();
                    JsonNode v = e.getValue();
                    unknown(v, Set.of("max", "per"), cp, problems);
                    if (!v.path("max").isIntegralNumber() || v.path("max").asInt() < 0) {
                        problems.add(new Problem(cp + ".max", "required: how many messages at most (a whole number >= 0)"));
                        continue;
                    }
                    Duration per = duration(v, "per", cp + ".per", problems);
                    if (per != null) {
                        caps.put(e.getKey(), new Cap(v.get("max").asInt(), per));
                    }
                }
            }
        }
        return new Policy(from, to, zone, caps);
    }

    private static List<Step> steps(JsonNode n, List<Problem> problems) {
        List<Step> out = new ArrayList<>();
        if (n == null || !n.isArray() || n.isEmpty()) {
            problems.add(new Problem("$.steps", "required: a list of at least one step"));
            return out;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode s = n.get(i);
            String p = "$.steps[" + i + "]";
            if (!s.isObject()) {
                problems.add(new Problem(p, "must be a step object with id and type"));
                continue;
            }
            String id = s.has("id") ? text(s, "id", p + ".id", true, problems) : "step-" + (i + 1);
            if (id != null && !ids.add(id)) {
                problems.add(new Problem(p + ".id", "'" + id + "' is used by another step"));
            }
            if (id != null && (id.equals("exit") || id.equals("next"))) {
                problems.add(new Problem(p + ".id", "'" + id + "' is reserved (a branch's target)"));
            }
            String type = text(s, "type", p + ".type", true, problems);
            if (type == null) {
                continue;
            }
            switch (type) {
                case "send" -> {
                    unknown(s, Set.of("id", "type", "channel", "template"), p, problems);
                    String ch = text(s, "channel", p + ".channel", true, problems);
                    String tpl = text(s, "template", p + ".template", true, problems);
                    out.add(new Step(id, type, List.of(new ChannelStep(ch, tpl, null, null)), null, null, null, null, null, null, null));
                }
                case "cascade" -> {
                    unknown(s, Set.of("id", "type", "channels"), p, problems);
                    List<ChannelStep> chans = new ArrayList<>();
                    JsonNode cs = s.get("channels");
                    if (cs == null || !cs.isArray() || cs.isEmpty()) {
                        problems.add(new Problem(p + ".channels", "required: the channels to try in order"));
                    } else {
                        for (int j = 0; j < cs.size(); j++) {
                            JsonNode c = cs.get(j);
                            String cp = p + ".channels[" + j + "]";
                            unknown(c, Set.of("channel", "template", "until", "within"), cp, problems);
                            String ch = text(c, "channel", cp + ".channel", true, problems);
                            String tpl = text(c, "template", cp + ".template", true, problems);
                            boolean last = j == cs.size() - 1;
                            String until = c.has("until") ? text(c, "until", cp + ".until", true, problems) : "delivered";
                            if (until != null && !UNTIL.contains(until)) {
                                problems.add(new Problem(cp + ".until", "must be one of " + sorted(UNTIL)));
                            }
                            Duration within = null;
                            if (c.has("within")) {
                                within = duration(c, "within", cp + ".within", problems);
                            } else if (!last) {
                                problems.add(new Problem(cp + ".within", "required: how long to wait for '" + until
                                        + "' before falling back to the next channel, e.g. \"2h\""));
                            }
                            chans.add(new ChannelStep(ch, tpl, until, within));
                        }
                    }
                    out.add(new Step(id, type, chans, null, null, null, null, null, null, null));
                }
                case "wait" -> {
                    unknown(s, Set.of("id", "type", "duration", "until", "event", "timeout"), p, problems);
                    int kinds = (s.has("duration") ? 1 : 0) + (s.has("until") ? 1 : 0) + (s.has("event") ? 1 : 0);
                    if (kinds != 1) {
                        problems.add(new Problem(p, "a wait has exactly one of duration (\"1d\"), until (a time of day in the "
                                + "person's time zone, \"09:00\") or event (with a timeout)"));
                    }
                    Duration d = s.has("duration") ? duration(s, "duration", p + ".duration", problems) : null;
                    LocalTime until = s.has("until") ? time(s, "until", p + ".until", problems) : null;
                    String ev = s.has("event") ? text(s, "event", p + ".event", true, problems) : null;
                    Duration timeout = null;
                    if (ev != null) {
                        if (s.has("timeout")) {
                            timeout = duration(s, "timeout", p + ".timeout", problems);
                        } else {
                            problems.add(new Problem(p + ".timeout", "required with event: how long to wait for it, e.g. \"1h\""));
                        }
                    }
                    out.add(new Step(id, type, List.of(), d, until, ev, timeout, null, null, null));
                }
                case "branch" -> {
                    unknown(s, Set.of("id", "type", "if", "then", "else"), p, problems);
                    JsonNode cond = s.get("if");
                    condition(cond, p + ".if", problems);
                    String then = s.has("then") ? text(s, "then", p + ".then", true, problems) : "next";
                    String otherwise = s.has("else") ? text(s, "else", p + ".else", true, problems) : "next";
                    out.add(new Step(id, type, List.of(), null, null, null, null, cond, then, otherwise));
                }
                case "exit" -> {
                    unknown(s, Set.of("id", "type"), p, problems);
                    out.add(new Step(id, type, List.of(), null, null, null, null, null, null, null));
                }
                default -> problems.add(new Problem(p + ".type", "unknown step type '" + type + "'; one of " + sorted(STEP_TYPES)));
            }
        }
        for (int i = 0; i < out.size(); i++) {
            Step s = out.get(i);
            if (s.type().equals("branch")) {
                for (String target : List.of(s.then(), s.otherwise())) {
                    if (target != null && !target.equals("next") && !target.equals("exit") && !ids.contains(target)) {
                        problems.add(new Problem("$.steps[" + i + "]", "branch target '" + target + "' is no step id (nor next or exit)"));
                    }
                }
            }
        }
        return out;
    }

    /** {"lastMessage": status}, {"lastWait": "event"|"timeout"}, or {"rule": a segment rule} (docs/segments.md). */
    private static void condition(JsonNode c, String p, List<Problem> problems) {
        if (c == null || !c.isObject() || c.size() != 1) {
            problems.add(new Problem(p, "required: one of {\"lastMessage\": \"opened\"}, {\"lastWait\": \"event\"}, {\"rule\": <segment rule>}"));
            return;
        }
        if (c.has("lastMessage")) {
            String v = c.get("lastMessage").asText();
            if (!UNTIL.contains(v) && !v.equals("failed")) {
                problems.add(new Problem(p + ".lastMessage", "must be one of sent, delivered, opened, clicked, failed"));
            }
        } else if (c.has("lastWait")) {
            String v = c.get("lastWait").asText();
            if (!v.equals("event") && !v.equals("timeout")) {
                problems.add(new Problem(p + ".lastWait", "must be event or timeout"));
            }
        } else if (c.has("rule")) {
            for (RuleValidator.Problem rp : RuleValidator.validate(c.get("rule"))) {
                problems.add(new Problem(p + ".rule" + rp.path().substring(1), rp.message()));
            }
        } else {
            problems.add(new Problem(p, "unknown condition " + c.fieldNames().next()
                    + "; one of lastMessage, lastWait, rule"));
        }
    }

    /** {@code 30s}, {@code 15m}, {@code 2h}, {@code 7d}. */
    static Duration parseDuration(String text) {
        if (text == null || !text.matches("\\d+(ms|s|m|h|d)")) {
            return null;
        }
        return DurationStyle.SIMPLE.parse(text);
    }

    private static Duration duration(JsonNode n, String field, String path, List<Problem> problems) {
        JsonNode v = n.get(field);
        Duration d = v != null && v.isTextual() ? parseDuration(v.asText()) : null;
        if (d == null) {
            problems.add(new Problem(path, "must be a duration such as \"30s\", \"15m\", \"2h\", \"7d\""));
        }
        return d;
    }

    private static LocalTime time(JsonNode n, String field, String path, List<Problem> problems) {
        JsonNode v = n.get(field);
        try {
            if (v != null && v.isTextual()) {
                return LocalTime.parse(v.asText());
            }
        } catch (DateTimeParseException e) {
            // below
        }
        problems.add(new Problem(path, "must be a time of day such as \"09:00\""));
        return null;
    }

    private static ZoneId zone(JsonNode n, String field, String path, List<Problem> problems) {
        try {
            return ZoneId.of(n.get(field).asText());
        } catch (Exception e) {
            problems.add(new Problem(path, "must be a time zone such as Europe/Kyiv or UTC"));
            return null;
        }
    }

    private static String text(JsonNode n, String field, String path, boolean required, List<Problem> problems) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                problems.add(new Problem(path, "required"));
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(new Problem(path, "must be a non-empty string"));
            return null;
        }
        return v.asText();
    }

    private static void unknown(JsonNode n, Set<String> known, String path, List<Problem> problems) {
        if (n == null || !n.isObject()) {
            return;
        }
        n.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problems.add(new Problem(path + "." + f, "unknown field; known here: " + sorted(known)));
            }
        });
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    /** Every channel the campaign can send on, with its template. */
    public List<ChannelStep> channelSteps() {
        List<ChannelStep> out = new ArrayList<>();
        steps.forEach(s -> out.addAll(s.channels()));
        return out;
    }

    public int indexOf(String stepId) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).id().equals(stepId)) {
                return i;
            }
        }
        return -1;
    }
}
