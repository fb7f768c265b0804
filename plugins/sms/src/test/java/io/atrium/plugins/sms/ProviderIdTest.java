package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProviderIdTest {

    @Test
    void aJsonPointerFindsTheIdAndKeeps64BitIntegersExact() {
        assertThat(ProviderId.parse("/message_token").find("{\"status\":0,\"message_token\":5429255937384467003}"))
                .contains("5429255937384467003");
        assertThat(ProviderId.parse("/messages/0/id").find("{\"messages\":[{\"id\":\"abc\"}]}")).contains("abc");
    }

    @Test
    void aJsonPointerFindsNothingInOtherJsonOrText() {
        assertThat(ProviderId.parse("/sid").find("{\"other\":1}")).isEmpty();
        assertThat(ProviderId.parse("/sid").find("{\"sid\":{\"nested\":1}}")).isEmpty();
        assertThat(ProviderId.parse("/sid").find("0: Accepted for delivery")).isEmpty();
    }

    @Test
    void aRegexUsesItsFirstGroupOrTheWholeMatch() {
        assertThat(ProviderId.parse("id=([A-Z0-9]+)").find("OK id=AB12 queued")).contains("AB12");
        assertThat(ProviderId.parse("[0-9a-f]{8}").find("accepted: 1a2b3c4d")).contains("1a2b3c4d");
        assertThat(ProviderId.parse("id=(\\d+)").find("no id here")).isEmpty();
    }

    @Test
    void aBrokenPatternIsRefused() {
        assertThatThrownBy(() -> ProviderId.parse("id=(")).hasMessageContaining("not a valid regular expression");
    }
}
