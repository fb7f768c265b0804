package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallbackStatusTest {

    @ParameterizedTest(name = "status={0} -> {1} {2}")
    @CsvSource({
            "1, DELIVERED, ",
            "2, FAILED, rejected",
            "16, FAILED, rejected",
            "delivered, DELIVERED, ",
            "DELIVERED, DELIVERED, ",
            "failed, FAILED, rejected",
            "undelivered, FAILED, rejected",
            "rejected, FAILED, rejected",
            "expired, FAILED, expired",
            "read, OPENED, "})
    void kannelTypesAndWordsMapToTheHubsStatuses(String status, MessageStatus expected, String reason) {
        StatusUpdate u = CallbackStatus.toStatus("m-1", status, null, null).orElseThrow();
        assertThat(u.messageId()).isEqualTo("m-1");
        assertThat(u.providerMessageId()).isNull();
        assertThat(u.status()).isEqualTo(expected);
        assertThat(u.reason()).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({"4", "8", "32", "queued", "accepted", "sent", "sending", "buffered"})
    void intermediateReportsChangeNothing(String status) {
        assertThat(CallbackStatus.toStatus("m-1", status, null, null)).isEmpty();
    }

    @Test
    void unknownValuesAreRefusedSayingWhatIsExpected() {
        assertThatThrownBy(() -> CallbackStatus.toStatus("m-1", "64", null, null))
                .hasMessageContaining("unknown Kannel DLR type 64");
        assertThatThrownBy(() -> CallbackStatus.toStatus("m-1", "0", null, null))
                .hasMessageContaining("unknown Kannel DLR type 0");
        assertThatThrownBy(() -> CallbackStatus.toStatus("m-1", "lost", null, null))
                .hasMessageContaining("unknown status 'lost'").hasMessageContaining("delivered");
    }

    @Test
    void aReasonWordAndDetailFromTheCallbackAreUsed() {
        StatusUpdate u = CallbackStatus.toStatus("m-1", "failed", "invalid_address", "err:21211").orElseThrow();
        assertThat(u.reason()).isEqualTo("invalid_address");
        assertThat(u.detail()).isEqualTo("status:failed err:21211");
        assertThat(CallbackStatus.toStatus("m-1", "16", "NOT A WORD!", null).orElseThrow().reason()).isEqualTo("rejected");
        assertThat(CallbackStatus.toStatus("m-1", "1", "rejected", null).orElseThrow().reason()).isNull();
    }
}
