package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

import org.apache.camel.component.smpp.SmppException;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmppErrorsTest {

    static final String AT = "smpp://atrium@smsc:2775";

    /** What camel-smpp's submit command throws for a negative submit_sm_resp. */
    static Exception submitRefused(int status) {
        return new SmppException(new NegativeResponseException(status));
    }

    /** What jsmpp's connectAndBind throws for a negative bind_resp. */
    static Exception bindRefused(int status) {
        return new IOException("Receive negative bind response", new NegativeResponseException(status));
    }

    @ParameterizedTest(name = "0x{0} -> permanent={1} {2}")
    @CsvSource({
            "58, false, unavailable",
            "14, false, unavailable",
            "0B, true, invalid_address",
            "45, true, rejected",
            "0A, true, rejected",
            "08, true, rejected",
            "FF, true, rejected"})
    void submitStatuses(String hex, boolean permanent, String reason) {
        SendException e = SmppErrors.toSendException(submitRefused(Integer.parseInt(hex, 16)), AT);
        assertThat(e.isPermanent()).isEqualTo(permanent);
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).contains("0x" + hex, AT);
    }

    @Test
    void aRefusedBindIsTransientAndNamesTheKeyToCheck() {
        SendException e = SmppErrors.toSendException(bindRefused(0x0E), AT);
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("bind", "ESME_RINVPASWD", "check key 'password'");
    }

    @Test
    void noConnectionIsTransientButAnUnansweredSubmitIsFinal() {
        SendException refused = SmppErrors.toSendException(new ConnectException("Connection refused"), AT);
        assertThat(refused.isPermanent()).isFalse();
        assertThat(refused.getMessage()).contains("no SMPP session", "Connection refused");
        // The submit_sm went out: retrying could deliver it twice.
        SendException timeout = SmppErrors.toSendException(new SmppException(new ResponseTimeoutException("late")), AT);
        assertThat(timeout.isPermanent()).isTrue();
        assertThat(timeout.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
        SendException lost = SmppErrors.toSendException(new SmppException(new IOException("Broken pipe")), AT);
        assertThat(lost.isPermanent()).isFalse();
    }

    @Test
    void bindRefusalsAreToldApartFromSubmitRefusals() {
        assertThat(SmppErrors.bindRefusal(new IllegalStateException("route", bindRefused(0x0F)))).contains(0x0F);
        assertThat(SmppErrors.bindRefusal(submitRefused(0x0F))).isEmpty();
        assertThat(SmppErrors.bindRefusal(new ConnectException())).isEmpty();
        assertThat(SmppErrors.isCredentialRefusal(0x0E)).isTrue();
        assertThat(SmppErrors.isCredentialRefusal(0x0F)).isTrue();
        assertThat(SmppErrors.isCredentialRefusal(0x05)).isFalse();
        assertThat(SmppErrors.bindHint(0x0F)).contains("'system-id'");
    }
}
