package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AcceptedStatusTest {

    @Test
    void classesCodesAndRanges() {
        AcceptedStatus s = AcceptedStatus.parse("2xx, 302, 400-401");
        assertThat(s.accepts(200)).isTrue();
        assertThat(s.accepts(299)).isTrue();
        assertThat(s.accepts(302)).isTrue();
        assertThat(s.accepts(401)).isTrue();
        assertThat(s.accepts(301)).isFalse();
        assertThat(s.accepts(402)).isFalse();
        assertThat(s.accepts(500)).isFalse();
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> AcceptedStatus.parse("ok")).hasMessageContaining("got 'ok'");
        assertThatThrownBy(() -> AcceptedStatus.parse("299-200")).hasMessageContaining("ends before it starts");
        assertThatThrownBy(() -> AcceptedStatus.parse(" , ")).hasMessageContaining("names no HTTP status");
        assertThatThrownBy(() -> AcceptedStatus.parse("600")).hasMessageContaining("got '600'");
    }
}
