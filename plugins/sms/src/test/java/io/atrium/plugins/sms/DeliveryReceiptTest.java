package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeliveryReceiptTest {

    @Test
    void readsEveryFieldOfTheStandardFormat() {
        DeliveryReceipt r = DeliveryReceipt.parse("id:0123456789 sub:001 dlvrd:001 submit date:2511241530 "
                + "done date:2511241531 stat:DELIVRD err:000 text:Your code is 1234").orElseThrow();
        assertThat(r.id()).isEqualTo("0123456789");
        assertThat(r.sub()).isEqualTo("001");
        assertThat(r.dlvrd()).isEqualTo("001");
        assertThat(r.submitDate()).isEqualTo("2511241530");
        assertThat(r.doneDate()).isEqualTo("2511241531");
        assertThat(r.stat()).isEqualTo("DELIVRD");
        assertThat(r.err()).isEqualTo("000");
        assertThat(r.text()).isEqualTo("Your code is 1234");
    }

    @Test
    void fieldsInTheMessageTextAreNotRead() {
        DeliveryReceipt r = DeliveryReceipt.parse("id:42 stat:UNDELIV err:001 text:stat:DELIVRD id:99").orElseThrow();
        assertThat(r.id()).isEqualTo("42");
        assertThat(r.stat()).isEqualTo("UNDELIV");
        assertThat(r.text()).isEqualTo("stat:DELIVRD id:99");
    }

    @Test
    void namesInAnyCaseFieldsMissingAndInAnotherOrder() {
        DeliveryReceipt r = DeliveryReceipt.parse("Stat:rejectd Id:AB-12 Err:0B").orElseThrow();
        assertThat(r.id()).isEqualTo("AB-12");
        assertThat(r.stat()).isEqualTo("REJECTD");
        assertThat(r.err()).isEqualTo("0B");
        assertThat(r.sub()).isNull();
        assertThat(r.doneDate()).isNull();
        assertThat(r.text()).isNull();
    }

    @Test
    void aDateWithSecondsAndASpaceAfterTheColonAreRead() {
        DeliveryReceipt r = DeliveryReceipt.parse("id: 7 done date:251124153105 stat: EXPIRED").orElseThrow();
        assertThat(r.id()).isEqualTo("7");
        assertThat(r.doneDate()).isEqualTo("251124153105");
        assertThat(r.stat()).isEqualTo("EXPIRED");
    }

    @Test
    void textWithoutIdOrStatIsNoReceipt() {
        assertThat(DeliveryReceipt.parse("STOP")).isEmpty();
        assertThat(DeliveryReceipt.parse("")).isEmpty();
        assertThat(DeliveryReceipt.parse(null)).isEmpty();
    }
}
