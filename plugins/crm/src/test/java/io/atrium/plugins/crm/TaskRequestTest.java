package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;

import org.junit.jupiter.api.Test;

class TaskRequestTest {

    static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final CrmSettings.TaskDefaults DEFAULTS = new CrmSettings.TaskDefaults("77", "MEDIUM", "TODO", Duration.ofDays(1));

    static OutboundMessage message(String subject, String text, Map<String, Object> attributes) {
        return new OutboundMessage("m-1", "crm-task", "42", "901", OutboundMessage.MARKETING, subject, text, null, null,
                attributes);
    }

    @Test
    void subjectAndTextAreTitleAndBodyAndTheRestComesFromTheDefaults() throws Exception {
        TaskRequest t = TaskRequest.from(message("Call Ann about the renewal", "She opened the offer 3 times.\nCall her.",
                Map.of("campaignId", "c-1")), DEFAULTS, CLOCK);
        assertThat(t).isEqualTo(new TaskRequest("901", "Call Ann about the renewal", "She opened the offer 3 times.\nCall her.",
                NOW.plus(Duration.ofDays(1)), "MEDIUM", "TODO", "77"));
        assertThat(t.htmlBody()).isEqualTo("She opened the offer 3 times.<br>Call her.");
    }

    @Test
    void attributesSetOwnerPriorityDueAndType() throws Exception {
        TaskRequest t = TaskRequest.from(message("T", "B", Map.of("ownerId", "88", "priority", "high",
                "due", "2025-03-05T09:00:00+02:00", "taskType", "call")), DEFAULTS, CLOCK);
        assertThat(t.ownerId()).isEqualTo("88");
        assertThat(t.priority()).isEqualTo("HIGH");
        assertThat(t.type()).isEqualTo("CALL");
        assertThat(t.due()).isEqualTo(Instant.parse("2025-03-05T07:00:00Z"));
        assertThat(TaskRequest.from(message("T", "B", Map.of("due", "4h")), DEFAULTS, CLOCK).due())
                .isEqualTo(NOW.plus(Duration.ofHours(4)));
        assertThat(TaskRequest.from(message("T", "B", Map.of("dueAt", "2025-03-07")), DEFAULTS, CLOCK).due())
                .isEqualTo(Instant.parse("2025-03-07T00:00:00Z"));
        assertThat(TaskRequest.from(message("T", "B", Map.of("hubspot_owner_id", "99")), DEFAULTS, CLOCK).ownerId())
                .isEqualTo("99");
    }

    @Test
    void withoutASubjectTheFirstLineOfTheTextIsTheTitle() throws Exception {
        assertThat(TaskRequest.from(message(null, "\n  Call Ann  \nabout the renewal", Map.of()), DEFAULTS, CLOCK).subject())
                .isEqualTo("Call Ann");
        assertThat(TaskRequest.from(message(" ", "x".repeat(300), Map.of()), DEFAULTS, CLOCK).subject())
                .hasSize(TaskRequest.MAX_SUBJECT).endsWith("...");
    }

    @Test
    void anEmptyMessageOrAnAttributeThatCannotBeReadIsRefusedForGoodNamingIt() {
        SendException empty = catchThrowableOfType(SendException.class,
                () -> TaskRequest.from(message(null, " ", Map.of()), DEFAULTS, CLOCK));
        assertThat(empty.isPermanent()).isTrue();
        assertThat(empty.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(empty.getMessage()).contains("subject");
        assertThat(catchThrowableOfType(SendException.class, () -> TaskRequest.from(message("T", "B",
                Map.of("priority", "urgent")), DEFAULTS, CLOCK)).getMessage()).contains("attribute 'priority'", "urgent");
        assertThat(catchThrowableOfType(SendException.class, () -> TaskRequest.from(message("T", "B",
                Map.of("due", "next week")), DEFAULTS, CLOCK)).getMessage()).contains("attribute 'due'", "next week");
        assertThat(catchThrowableOfType(SendException.class, () -> TaskRequest.from(message("T", "B",
                Map.of("taskType", "MEETING")), DEFAULTS, CLOCK)).getMessage()).contains("attribute 'taskType'");
    }

    @Test
    void theBodyIsEscapedForHubSpotsRichText() throws Exception {
        TaskRequest t = TaskRequest.from(message("T", "Cart: <3 items> & \"gift\"\r\nTotal 40", Map.of()), DEFAULTS, CLOCK);
        assertThat(t.htmlBody()).isEqualTo("Cart: &lt;3 items&gt; &amp; &quot;gift&quot;<br>Total 40");
    }
}
