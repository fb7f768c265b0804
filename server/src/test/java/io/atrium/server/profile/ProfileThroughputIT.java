package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many events per second the profile stage applies: {@code -Datrium.perf=true} runs it
 * (it is left out of the normal build because it only measures).
 */
@EnabledIfSystemProperty(named = "atrium.perf", matches = "true")
class ProfileThroughputIT extends ProfileTestSupport {

    private static final Logger log = LoggerFactory.getLogger(ProfileThroughputIT.class);

    @org.springframework.beans.factory.annotation.Autowired
    ProfileConsumer consumer;

    @Test
    void measureTheProfileStage() {
        String s = unique();
        int messages = 400;
        int perMessage = 100;
        Instant t = Instant.parse("2026-02-01T00:00:00Z");
        List<List<Event>> batches = new ArrayList<>();
        int n = 0;
        for (int m = 0; m < messages; m++) {
            List<Event> batch = new ArrayList<>();
            for (int i = 0; i < perMessage; i++, n++) {
                int person = n / 10;
                Event e = switch (n % 10) {
                    case 0 -> Event.identify().userId("u" + person + "-" + s).anonymousId("a" + person + "-" + s)
                            .trait("email", "p" + person + "." + s + "@example.com").trait("plan", "free").build();
                    case 5 -> Event.track("order_completed").anonymousId("b" + person + "-" + s)
                            .identity("email", "p" + person + "." + s + "@example.com").property("total", n).build();
                    default -> Event.ofType("page").anonymousId((n % 2 == 0 ? "a" : "b") + person + "-" + s)
                            .property("path", "/p/" + n).build();
                };
                batch.add(new Event(e.type(), e.event(), e.name(), e.userId(), e.anonymousId(), e.groupId(), e.previousId(),
                        "perf" + n + "-" + s, t.plusSeconds(n), null, null, null, "perf", e.traits(), e.properties(),
                        e.context(), e.identities()));
            }
            batches.add(batch);
        }
        // The queue is filled while the stage is stopped, so that only the stage is measured.
        consumer.stop();
        long filling = System.nanoTime();
        for (List<Event> b : batches) {
            intake.submit(b);
        }
        long submitted = System.nanoTime();
        long start = System.nanoTime();
        consumer.start();
        int total = n;
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE source = 'perf' AND message_id LIKE ?", Long.class, "%-" + s) == total);
        double seconds = (System.nanoTime() - start) / 1e9;
        log.info("PERF profile stage: {} events in {} messages applied in {} s (submitting them took {} s before): {} events/s",
                total, messages, String.format("%.2f", seconds), String.format("%.2f", (submitted - filling) / 1e9),
                String.format("%.0f", total / seconds));
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT profile_id) FROM identities WHERE value LIKE ?", Long.class, "%" + s + "%"))
                .isEqualTo(total / 10);
    }
}
