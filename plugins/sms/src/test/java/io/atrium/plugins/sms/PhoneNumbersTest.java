package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhoneNumbersTest {

    @Test
    void e164() {
        assertThat(PhoneNumbers.isE164("+380501112233")).isTrue();
        assertThat(PhoneNumbers.isE164("+12025550123")).isTrue();
        assertThat(PhoneNumbers.isE164("380501112233")).isFalse();
        assertThat(PhoneNumbers.isE164("+0501112233")).isFalse();
        assertThat(PhoneNumbers.isE164("+3805011122334455")).isFalse();
        assertThat(PhoneNumbers.isE164("+380 50 111 22 33")).isFalse();
        assertThat(PhoneNumbers.isE164(null)).isFalse();
    }

    @Test
    void aNumberWrittenInARouteIsReadLeniently() {
        assertThat(PhoneNumbers.lenientE164(" 380501112233")).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.lenientE164("+380 (50) 111-22-33")).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.lenientE164("00380501112233")).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.lenientE164("4242")).isEqualTo("4242");
    }

    @Test
    void smppSourceTonAndNpi() {
        assertThat(PhoneNumbers.sourceTon("ATRIUM")).isEqualTo((byte) 5);
        assertThat(PhoneNumbers.sourceNpi("ATRIUM")).isEqualTo((byte) 0);
        assertThat(PhoneNumbers.sourceTon("Shop24")).isEqualTo((byte) 5);
        assertThat(PhoneNumbers.sourceTon("+380441234567")).isEqualTo((byte) 1);
        assertThat(PhoneNumbers.sourceNpi("+380441234567")).isEqualTo((byte) 1);
        assertThat(PhoneNumbers.sourceTon("4242")).isEqualTo((byte) 0);
        assertThat(PhoneNumbers.smppSource("+380441234567", (byte) 1)).isEqualTo("380441234567");
        assertThat(PhoneNumbers.smppDestination("+380501112233")).isEqualTo("380501112233");
    }

    @Test
    void theSenderOfAReplyIsE164WhenItIsInternational() {
        assertThat(PhoneNumbers.fromSmpp("380501112233", (byte) 1)).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.fromSmpp("+380501112233", (byte) 1)).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.fromSmpp("0501112233", (byte) 2)).isEqualTo("0501112233");
        assertThat(PhoneNumbers.fromSmpp(null, (byte) 1)).isEmpty();
        assertThat(PhoneNumbers.fromHttp("00380501112233")).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.fromHttp(" 380501112233")).isEqualTo("+380501112233");
        assertThat(PhoneNumbers.fromHttp("+380501112233")).isEqualTo("+380501112233");
    }
}
