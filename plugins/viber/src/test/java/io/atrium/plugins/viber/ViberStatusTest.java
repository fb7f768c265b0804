package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import io.atrium.plugin.api.SendException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ViberStatusTest {

    @ParameterizedTest(name = "status {0} -> {1}, permanent={2}")
    @CsvSource({
            "1, rejected, true",
            "2, rejected, true",
            "3, rejected, true",
            "4, rejected, true",
            "5, not_a_user, true",
            "6, not_a_user, true",
            "7, rejected, true",
            "8, rejected, true",
            "9, rejected, true",
            "10, rejected, true",
            "11, rejected, true",
            "12, unavailable, false",
            "13, rejected, true",
            "14, rejected, true",
            "15, rejected, true",
            "16, rejected, true",
            "17, rejected, true",
            "18, rejected, true",
            "19, rejected, true",
            "20, rejected, true",
            "21, rejected, true",
            "22, rejected, true",
            "23, rejected, true",
            "24, rejected, true",
            "25, unknown, true",
            "999, unknown, true",
    })
    void everyDocumentedStatusHasItsOutcome(int status, String reason, boolean permanent) {
        SendException e = ViberStatus.sendFailure(status, "words of Viber");
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.isPermanent()).isEqualTo(permanent);
        assertThat(e.getMessage()).contains("status " + status, "words of Viber");
    }

    @Test
    void theDocumentedCodesAreZeroToTwentyFourWithTheirNames() {
        assertThat(Arrays.stream(ViberStatus.values()).filter(s -> s != ViberStatus.OTHER).mapToInt(ViberStatus::code))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24);
        assertThat(ViberStatus.of(6).wireName()).isEqualTo("receiverNotSubscribed");
        assertThat(ViberStatus.of(12).wireName()).isEqualTo("tooManyRequests");
        assertThat(ViberStatus.of(24).wireName()).isEqualTo("noBalance");
        assertThat(ViberStatus.of(-1)).isEqualTo(ViberStatus.OTHER);
        assertThat(ViberStatus.of(1000)).isEqualTo(ViberStatus.OTHER);
    }

    @Test
    void theMessageNamesStatusNameAndStatusMessage() {
        assertThat(ViberStatus.describe(6, "receiver is not subscribed"))
                .isEqualTo("Viber answered status 6 (receiverNotSubscribed): receiver is not subscribed");
        assertThat(ViberStatus.describe(2, null)).isEqualTo("Viber answered status 2 (invalidAuthToken)");
        assertThat(ViberStatus.describe(77, " odd ")).isEqualTo("Viber answered status 77 (not documented): odd");
    }
}
