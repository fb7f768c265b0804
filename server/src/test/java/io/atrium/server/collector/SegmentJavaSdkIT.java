package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The real Segment Java SDK, pointed at the hub by changing only its endpoint. */
class SegmentJavaSdkIT extends CollectorTestSupport {

    @Autowired
    MeterRegistry registry;

    private double importedEvents() {
        Counter c = registry.find("atrium.collector.events").tags("endpoint", "import", "result", "accepted").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void identifyAndTrackFromTheSegmentJavaSdkArriveWithTraitsPropertiesAndMessageIds() {
        TestSource source = newSource("java-sdk");
        double importedBefore = importedEvents();
        String run = marker();
        ConcurrentLinkedQueue<String> succeeded = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        Analytics analytics = Analytics.builder(source.writeKey())
                .endpoint("http://127.0.0.1:" + port)
                .flushInterval(1, java.util.concurrent.TimeUnit.SECONDS)
                .callback(new Callback() {
                    @Override
                    public void success(Message message) {
                        succeeded.add(message.messageId());
                    }

                    @Override
                    public void failure(Message message, Throwable throwable) {
                        failed.add(message.messageId() + ": " + throwable);
                    }
                })
                .build();
        try {
            analytics.enqueue(IdentifyMessage.builder().userId("java-user-1").messageId(run + "-identify")
                    .traits(Map.of("email", "olena@example.com", "plan", "pro")));
            analytics.enqueue(TrackMessage.builder("Order Completed").userId("java-user-1").messageId(run + "-track")
                    .properties(Map.of("orderId", "o-77", "total", 129.9)));
            analytics.flush();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(failed).isEmpty();
                assertThat(succeeded).contains(run + "-identify", run + "-track");
            });
        } finally {
            analytics.shutdown();
        }

        List<JsonNode> events = queuedWithMessageIdPrefix(run);
        assertThat(events).extracting(e -> e.path("messageId").asText())
                .containsExactlyInAnyOrder(run + "-identify", run + "-track");
        JsonNode identify = events.stream().filter(e -> "identify".equals(e.path("type").asText())).findFirst().orElseThrow();
        assertThat(identify.path("userId").asText()).isEqualTo("java-user-1");
        assertThat(identify.path("traits").path("email").asText()).isEqualTo("olena@example.com");
        assertThat(identify.path("traits").path("plan").asText()).isEqualTo("pro");
        assertThat(identify.path("context").path("library").path("name").asText()).isEqualTo("analytics-java");
        assertThat(identify.path("source").asText()).isEqualTo(source.id());
        JsonNode track = events.stream().filter(e -> "track".equals(e.path("type").asText())).findFirst().orElseThrow();
        assertThat(track.path("event").asText()).isEqualTo("Order Completed");
        assertThat(track.path("properties").path("orderId").asText()).isEqualTo("o-77");
        assertThat(track.path("properties").path("total").asDouble()).isEqualTo(129.9);
        // The SDK stamps each event and the batch's sentAt, so the hub corrected for its clock.
        assertThat(track.path("originalTimestamp").isNull()).isFalse();
        assertThat(track.path("sentAt").isNull()).isFalse();
        // It posted both to its default path, /v1/import/.
        assertThat(importedEvents() - importedBefore).isEqualTo(2.0);
    }
}
