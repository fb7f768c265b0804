package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReceiptStatusTest {

    @ParameterizedTest(name = "stat:{0} err:{1} -> {2} {3}")
    @CsvSource({
            "DELIVRD, 000, DELIVERED, ",
            "delivrd, 000, DELIVERED, ",
            "UNDELIV, 001, FAILED, invalid_address",
            "UNDELIV, 1, FAILED, invalid_address",
            "UNDELIV, 005, FAILED, invalid_address",
            "UNDELIV, 009, FAILED, invalid_address",
            "UNDELIV, 011, FAILED, invalid_address",
            "UNDELIV, 069, FAILED, rejected",
            "UNDELIV, , FAILED, rejected",
            "REJECTD, 000, FAILED, rejected",
            "EXPIRED, 000, FAILED, expired",
            "DELETED, 000, FAILED, unknown",
            "UNKNOWN, 000, FAILED, unknown"})
    void finalStatesMapToTheHubsStatuses(String stat, String err, MessageStatus status, String reason) {
        StatusUpdate u = ReceiptStatus.toStatus("P-1", stat, err).orElseThrow();
        assertThat(u.providerMessageId()).isEqualTo("P-1");
        assertThat(u.messageId()).isNull();
        assertThat(u.status()).isEqualTo(status);
        assertThat(u.reason()).isEqualTo(reason);
        assertThat(u.detail()).isEqualTo("stat:" + stat.toUpperCase() + " err:" + (err == null ? "-" : err));
    }

    @ParameterizedTest
    @CsvSource({"ACCEPTD", "ENROUTE", "BUFFRED", "SCHEDULED", "SOMETHINGNEW"})
    void intermediateAndUnknownStatesChangeNothing(String stat) {
        assertThat(ReceiptStatus.toStatus("P-1", stat, "000")).isEmpty();
    }

    @Test
    void theErrorCodeIsKeptAsAnAttribute() {
        assertThat(ReceiptStatus.toStatus("P-1", "UNDELIV", "034").orElseThrow().attributes())
                .containsEntry("smppError", "034");
        assertThat(ReceiptStatus.toStatus("P-1", "UNDELIV", "001").orElseThrow().reason())
                .isEqualTo(FailureReason.INVALID_ADDRESS);
    }

    @Test
    void messageStateTlvValuesHaveTheirStatNames() {
        assertThat(ReceiptStatus.statOfMessageState(2)).isEqualTo("DELIVRD");
        assertThat(ReceiptStatus.statOfMessageState(5)).isEqualTo("UNDELIV");
        assertThat(ReceiptStatus.statOfMessageState(8)).isEqualTo("REJECTD");
        assertThat(ReceiptStatus.statOfMessageState(0)).isNull();
        assertThat(ReceiptStatus.statOfMessageState(-1)).isNull();
        assertThat(ReceiptStatus.statOfMessageState(9)).isNull();
    }

    @Test
    void noIdOrNoStatIsNothing() {
        assertThat(ReceiptStatus.toStatus(null, "DELIVRD", "000")).isEmpty();
        assertThat(ReceiptStatus.toStatus("P-1", null, "000")).isEmpty();
    }
}
