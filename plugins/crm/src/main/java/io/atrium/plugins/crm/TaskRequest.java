package io.atrium.plugins.crm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

import io.atrium.plugin.api.ConfigType;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;

/**
 * A task for a sales manager, as a {@code crm-task} message asks for it: the rendered subject is the
 * title and the rendered text the body; attributes may set {@code ownerId} (also {@code owner},
 * {@code hubspot_owner_id}), {@code priority} (LOW, MEDIUM, HIGH), {@code due} (also {@code dueAt}:
 * an ISO-8601 date-time or date, or a duration from now such as {@code 2d}) and {@code taskType}
 * (TODO, CALL, EMAIL); what they leave out comes from the {@code task-*} keys.
 *
 * @param contactId the person's crm_id: the contact the task is about
 */
record TaskRequest(String contactId, String subject, String body, Instant due, String priority, String type,
                   String ownerId) {

    /** Longest title taken from the first line of the text when the message has no subject. */
    static final int MAX_SUBJECT = 200;

    static final Set<String> PRIORITIES = Set.of("LOW", "MEDIUM", "HIGH");
    static final Set<String> TYPES = Set.of("TODO", "CALL", "EMAIL");

    /**
     * @throws SendException permanent ({@code rejected}) for an empty message or an attribute that cannot be read,
     *                       naming the attribute
     */
    static TaskRequest from(OutboundMessage m, CrmSettings.TaskDefaults defaults, Clock clock) throws SendException {
        String text = m.text() == null ? "" : m.text().strip();
        String subject = m.subject() == null ? "" : m.subject().strip();
        if (subject.isEmpty()) {
            String first = text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
            subject = first.length() <= MAX_SUBJECT ? first : first.substring(0, MAX_SUBJECT - 3) + "...";
        }
        if (subject.isEmpty()) {
            throw new SendException(FailureReason.REJECTED, "a crm-task message needs a subject (the task's title) or a "
                    + "text; the template of this one renders neither", true);
        }
        String owner = attribute(m, "ownerId", "owner", "hubspot_owner_id");
        if (owner == null) {
            owner = defaults.ownerId();
        }
        String priority = upper(attribute(m, "priority"));
        if (priority == null) {
            priority = defaults.priority();
        } else if (!PRIORITIES.contains(priority)) {
            throw new SendException(FailureReason.REJECTED, "attribute 'priority' must be LOW, MEDIUM or HIGH, not '"
                    + attribute(m, "priority") + "'", true);
        }
        String type = upper(attribute(m, "taskType", "type"));
        if (type == null) {
            type = defaults.type();
        } else if (!TYPES.contains(type)) {
            throw new SendException(FailureReason.REJECTED, "attribute 'taskType' must be TODO, CALL or EMAIL, not '"
                    + attribute(m, "taskType", "type") + "'", true);
        }
        Instant now = clock.instant();
        Instant due = now.plus(defaults.dueIn());
        String dueText = attribute(m, "due", "dueAt", "due_at");
        if (dueText != null) {
            due = due(dueText, now);
            if (due == null) {
                throw new SendException(FailureReason.REJECTED, "attribute 'due' must be an ISO-8601 date-time "
                        + "(2025-03-01T09:00:00Z), a date (2025-03-01) or a duration from now (2d, 4h), not '" + dueText
                        + "'", true);
            }
        }
        return new TaskRequest(m.to().strip(), subject, text, due, priority, type, owner);
    }

    private static Instant due(String text, Instant now) {
        String t = text.strip();
        if (t.matches("[0-9]+\\s*(ms|s|m|h|d)") || t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                Duration d = (Duration) ConfigType.DURATION.parse(t);
                return d.isNegative() ? null : now.plus(d);
            } catch (RuntimeException e) {
                return null;
            }
        }
        if (t.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Json.instant(t);
    }

    private static String attribute(OutboundMessage m, String... names) {
        for (String n : names) {
            String v = m.attribute(n);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT);
    }

    /** The text as HubSpot's rich-text body: HTML-escaped, line breaks as {@code <br>}. */
    String htmlBody() {
        String escaped = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        return escaped.replace("\r\n", "\n").replace("\n", "<br>");
    }
}
