package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ViberWebhookTest {

    static final String TOKEN = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9";
    /** Above 2^53: a double would make it 5741311803571721216. */
    static final String BIG = "5741311803571721087";

    RecordingFeedback feedback;
    ViberSignature signature;
    ViberWebhook webhook;

    @BeforeEach
    void setUp() {
        feedback = new RecordingFeedback();
        signature = new ViberSignature(TOKEN);
        webhook = new ViberWebhook(signature, feedback);
    }

    ViberWebhook.Response post(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return webhook.handle(body, signature.sign(body));
    }

    @Test
    void deliveredBecomesDeliveredOfThatTokenAtViberTime() {
        ViberWebhook.Response r = post("{\"event\":\"delivered\",\"timestamp\":1457764197627,\"message_token\":" + BIG
                + ",\"user_id\":\"01234567890A=\"}");
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(feedback.statuses).singleElement().satisfies(s -> {
            assertThat(s.providerMessageId()).isEqualTo(BIG);
            assertThat(s.messageId()).isNull();
            assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(s.at()).isEqualTo(Instant.ofEpochMilli(1457764197627L));
            assertThat(s.reason()).isNull();
            assertThat(s.attributes()).containsEntry("viberUserId", "01234567890A=");
        });
    }

    @Test
    void seenBecomesOpened() {
        post("{\"event\":\"seen\",\"timestamp\":1457764197627,\"message_token\":4912661846655238145,\"user_id\":\"u1\"}");
        assertThat(feedback.statuses).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(MessageStatus.OPENED);
            assertThat(s.providerMessageId()).isEqualTo("4912661846655238145");
        });
    }

    @ParameterizedTest(name = "desc \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "receiver is not subscribed | not_a_user",
            "Receiver Not Registered | not_a_user",
            "user unsubscribed | not_a_user",
            "keyboard validation failed | rejected",
            "'' | rejected",
    })
    void failedBecomesFailedWithAReasonFromDesc(String desc, String reason) {
        post("{\"event\":\"failed\",\"timestamp\":1457764197627,\"message_token\":" + BIG
                + ",\"user_id\":\"u1\",\"desc\":\"" + desc + "\"}");
        assertThat(feedback.statuses).singleElement().satisfies(s -> {
            assertThat(s.status()).isEqualTo(MessageStatus.FAILED);
            assertThat(s.providerMessageId()).isEqualTo(BIG);
            assertThat(s.reason()).isEqualTo(reason);
            assertThat(s.detail()).isEqualTo(desc.isEmpty() ? null : desc);
        });
    }

    @Test
    void failedWithoutDescIsRejected() {
        post("{\"event\":\"failed\",\"timestamp\":1,\"message_token\":7,\"user_id\":\"u1\"}");
        assertThat(feedback.statuses).singleElement().satisfies(s -> {
            assertThat(s.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(s.detail()).isNull();
        });
    }

    @Test
    void aMessageIsAnInboundMessageFromTheSender() {
        post("""
                {"event":"message","timestamp":1457764197627,"chat_hostname":"SN-CHAT-05_","message_token":%s,
                 "sender":{"id":"01234567890A=","name":"John McClane","avatar":"http://avatar.example.com",
                           "country":"UK","language":"en","api_version":1},
                 "message":{"type":"text","text":"Привіт, where is my order?","tracking_data":"m-1"},
                 "silent":false}""".formatted(BIG));
        assertThat(feedback.inbound).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo("01234567890A=");
            assertThat(m.to()).isNull();
            assertThat(m.text()).isEqualTo("Привіт, where is my order?");
            assertThat(m.at()).isEqualTo(Instant.ofEpochMilli(1457764197627L));
            assertThat(m.providerMessageId()).isEqualTo(BIG);
            assertThat(m.attributes()).containsEntry("senderName", "John McClane").containsEntry("messageType", "text")
                    .containsEntry("trackingData", "m-1").containsEntry("language", "en").containsEntry("country", "UK");
        });
    }

    @Test
    void aPictureWithoutTextIsAnEmptyInboundMessageWithItsMedia() {
        post("{\"event\":\"message\",\"timestamp\":2,\"message_token\":3,\"sender\":{\"id\":\"u2\"},"
                + "\"message\":{\"type\":\"picture\",\"media\":\"https://dl.viber.com/p.jpg\"}}");
        assertThat(feedback.inbound).singleElement().satisfies(m -> {
            assertThat(m.text()).isEmpty();
            assertThat(m.attributes()).containsEntry("messageType", "picture").containsEntry("media", "https://dl.viber.com/p.jpg");
        });
    }

    @Test
    void unsubscribedIsAnOptOut() {
        post("{\"event\":\"unsubscribed\",\"timestamp\":1457764197627,\"user_id\":\"01234567890A=\",\"message_token\":1}");
        assertThat(feedback.optOuts).containsExactly(new RecordingFeedback.OptOut("01234567890A=",
                Instant.ofEpochMilli(1457764197627L), "unsubscribed in Viber"));
        assertThat(feedback.statuses).isEmpty();
    }

    @Test
    void subscribedConversationStartedWebhookAndUnknownEventsAreOnlyAcknowledged() {
        assertThat(post("{\"event\":\"subscribed\",\"timestamp\":1,\"user\":{\"id\":\"u\",\"name\":\"n\"},\"message_token\":1}")
                .httpStatus()).isEqualTo(200);
        assertThat(post("{\"event\":\"conversation_started\",\"timestamp\":1,\"message_token\":1,\"type\":\"open\","
                + "\"user\":{\"id\":\"u\"},\"subscribed\":false}")).isEqualTo(ViberWebhook.Response.ok());
        assertThat(post("{\"event\":\"webhook\",\"timestamp\":1,\"chat_hostname\":\"SN-CHAT-05_\",\"message_token\":1}")
                .httpStatus()).isEqualTo(200);
        assertThat(post("{\"event\":\"client_status\",\"timestamp\":1}").httpStatus()).isEqualTo(200);
        assertThat(feedback.isEmpty()).isTrue();
    }

    @Test
    void aStatusWithoutTokenIsAcknowledgedAndDropped() {
        assertThat(post("{\"event\":\"delivered\",\"timestamp\":1,\"user_id\":\"u\"}").httpStatus()).isEqualTo(200);
        assertThat(feedback.isEmpty()).isTrue();
    }

    @Test
    void aMissingTimestampMeansNow() {
        post("{\"event\":\"delivered\",\"message_token\":5}");
        assertThat(feedback.statuses).singleElement().satisfies(s -> assertThat(s.at()).isNull());
    }

    @Test
    void unsignedOrWronglySignedCallbacksAre403AndRecordNothing() {
        byte[] body = ("{\"event\":\"delivered\",\"timestamp\":1,\"message_token\":" + BIG + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(webhook.handle(body, null).httpStatus()).isEqualTo(403);
        assertThat(webhook.handle(body, new ViberSignature("another-token").sign(body)).httpStatus()).isEqualTo(403);
        assertThat(webhook.handle(null, null).httpStatus()).isEqualTo(403);
        assertThat(feedback.isEmpty()).isTrue();
        assertThat(webhook.handle(body, signature.sign(body)).httpStatus()).isEqualTo(200);
        assertThat(feedback.statuses).hasSize(1);
    }

    @Test
    void signedBodiesThatAreNotAJsonObjectAre400() {
        assertThat(post("{\"event\":\"delivered\",").httpStatus()).isEqualTo(400);
        assertThat(post("[1,2]").httpStatus()).isEqualTo(400);
        assertThat(post("").httpStatus()).isEqualTo(400);
        assertThat(post("{} trailing").httpStatus()).isEqualTo(400);
        assertThat(feedback.isEmpty()).isTrue();
    }

    @Test
    void whenTheHubCannotRecordItTheAnswerIs500SoThatViberRetries() {
        feedback.failure = new IllegalStateException("queue down");
        assertThat(post("{\"event\":\"seen\",\"timestamp\":1,\"message_token\":9}").httpStatus()).isEqualTo(500);
    }
}
