package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;

import org.junit.jupiter.api.Test;

class ProviderEventsTest {

    /** What SendGrid's event webhook posts, custom argument atrium_message_id included. */
    static final String SENDGRID_BATCH = """
            [
              {"email":"jane@example.org","timestamp":1764583200,"smtp-id":"<m-1@atrium>","event":"processed",
               "sg_event_id":"ev-0","sg_message_id":"sg-1","atrium_message_id":"m-1"},
              {"email":"jane@example.org","timestamp":1764583201,"smtp-id":"<m-1@atrium>","event":"delivered",
               "response":"250 OK","sg_event_id":"ev-1","atrium_message_id":"m-1"},
              {"email":"jane@example.org","timestamp":1764583300,"event":"open","sg_event_id":"ev-2",
               "useragent":"Mozilla/5.0","ip":"203.0.113.9","atrium_message_id":"m-1"},
              {"email":"jane@example.org","timestamp":1764583400,"event":"click","url":"https://shop.example.com/cart",
               "sg_event_id":"ev-3","atrium_message_id":"m-1"},
              {"email":"joe@example.org","timestamp":1764583500,"smtp-id":"<m-2@atrium>","event":"bounce",
               "type":"bounce","status":"5.1.1","reason":"550 5.1.1 The email account does not exist",
               "sg_event_id":"ev-4","atrium_message_id":"m-2"},
              {"email":"ann@example.org","timestamp":1764583600,"smtp-id":"<m-3@atrium>","event":"bounce",
               "type":"blocked","status":"5.7.1","reason":"550 5.7.1 blocked","sg_event_id":"ev-5"},
              {"email":"bob@example.org","timestamp":1764583700,"event":"dropped","reason":"Bounced Address",
               "sg_event_id":"ev-6","atrium_message_id":"m-4"},
              {"email":"eve@example.org","timestamp":1764583800,"event":"spamreport","sg_event_id":"ev-7",
               "atrium_message_id":"m-5"},
              {"email":"max@example.org","timestamp":1764583900,"event":"unsubscribe","sg_event_id":"ev-8",
               "atrium_message_id":"m-6"},
              {"email":"max@example.org","timestamp":1764584000,"event":"deferred","response":"400 try later",
               "atrium_message_id":"m-6"},
              {"email":"zed@example.org","event":"delivered"},
              "not an event"
            ]
            """;

    @Test
    void mapsEachSendGridEventToAStatusOrAnOptOut() throws Exception {
        ProviderEvents.Batch batch = ProviderEvents.parse(SENDGRID_BATCH);
        assertThat(batch.statuses()).hasSize(7);
        assertThat(batch.statuses().get(0)).satisfies(u -> {
            assertThat(u.messageId()).isEqualTo("m-1");
            assertThat(u.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(u.at()).isEqualTo(Instant.ofEpochSecond(1764583201));
            assertThat(u.attributes()).containsEntry("providerEventId", "ev-1");
        });
        assertThat(batch.statuses().get(1).status()).isEqualTo(MessageStatus.OPENED);
        assertThat(batch.statuses().get(2)).satisfies(u -> {
            assertThat(u.status()).isEqualTo(MessageStatus.CLICKED);
            assertThat(u.attributes()).containsEntry("url", "https://shop.example.com/cart");
        });
        assertThat(batch.statuses().get(3)).satisfies(u -> {
            assertThat(u.messageId()).isEqualTo("m-2");
            assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
            assertThat(u.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
            assertThat(u.detail()).isEqualTo("5.1.1 550 5.1.1 The email account does not exist");
        });
        assertThat(batch.statuses().get(4)).satisfies(u -> {
            assertThat(u.messageId()).isNull();
            assertThat(u.providerMessageId()).isEqualTo("<m-3@atrium>");
            assertThat(u.status()).isEqualTo(MessageStatus.BOUNCED);
            assertThat(u.reason()).isEqualTo(FailureReason.REJECTED);
        });
        assertThat(batch.statuses().get(5)).satisfies(u -> {
            assertThat(u.status()).isEqualTo(MessageStatus.FAILED);
            assertThat(u.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
            assertThat(u.detail()).isEqualTo("Bounced Address");
        });
        assertThat(batch.statuses().get(6)).satisfies(u -> {
            assertThat(u.messageId()).isEqualTo("m-6");
            assertThat(u.status()).isEqualTo(MessageStatus.UNSUBSCRIBED);
        });
        assertThat(batch.optOuts()).extracting(ProviderEvents.OptOut::address).containsExactly("eve@example.org", "max@example.org");
        assertThat(batch.optOuts().get(0).at()).isEqualTo(Instant.ofEpochSecond(1764583800));
        // processed, deferred, the delivered event that names no message, and the string
        assertThat(batch.ignored()).isEqualTo(4);
    }

    @Test
    void aDroppedMessageForAnotherReasonIsRejected() throws Exception {
        ProviderEvents.Batch batch = ProviderEvents.parse(
                "[{\"event\":\"dropped\",\"reason\":\"Unsubscribed Address\",\"atrium_message_id\":\"m\"},"
                        + "{\"event\":\"dropped\",\"reason\":\"Invalid SMTPAPI header\",\"atrium_message_id\":\"m\"},"
                        + "{\"event\":\"dropped\",\"reason\":\"Invalid\",\"atrium_message_id\":\"m\"}]");
        assertThat(batch.statuses()).extracting(s -> s.reason())
                .containsExactly(FailureReason.REJECTED, FailureReason.REJECTED, FailureReason.INVALID_ADDRESS);
    }

    @Test
    void badBodiesSayWhatWasExpected() {
        assertThatThrownBy(() -> ProviderEvents.parse("")).isInstanceOf(ProviderEvents.BadPayload.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ProviderEvents.parse("[{\"event\":")).isInstanceOf(ProviderEvents.BadPayload.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ProviderEvents.parse("{\"event\":\"open\"}")).isInstanceOf(ProviderEvents.BadPayload.class)
                .hasMessageContaining("expected a JSON array of events, got object");
    }
}
