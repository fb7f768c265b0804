package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

class ViberJsonTest {

    static JsonNode token(String json) throws Exception {
        return ViberJson.MAPPER.readTree("{\"message_token\":" + json + "}").get("message_token");
    }

    @Test
    void tokensAboveTwoToTheFiftyThreeKeepEveryDigit() throws Exception {
        // 2^53 + 1 is the first integer a double cannot hold.
        assertThat(ViberJson.tokenText(token("9007199254740993"))).isEqualTo("9007199254740993");
        assertThat(ViberJson.tokenText(token("5741311803571721087"))).isEqualTo("5741311803571721087");
        assertThat(ViberJson.tokenText(token("9223372036854775807"))).isEqualTo("9223372036854775807");
        // Above a long: still exact.
        assertThat(ViberJson.tokenText(token("18446744073709551615"))).isEqualTo("18446744073709551615");
    }

    @Test
    void textTokensAndIntegralDecimalsAreKeptAsWritten() throws Exception {
        assertThat(ViberJson.tokenText(token("\"4912661846655238145\""))).isEqualTo("4912661846655238145");
        assertThat(ViberJson.tokenText(token("4912661846655238145.0"))).isEqualTo("4912661846655238145");
        assertThat(ViberJson.tokenText(token("4.912661846655238145E18"))).isEqualTo("4912661846655238145");
    }

    @Test
    void absentNullFractionalAndObjectTokensAreNone() throws Exception {
        assertThat(ViberJson.tokenText(null)).isNull();
        assertThat(ViberJson.tokenText(token("null"))).isNull();
        assertThat(ViberJson.tokenText(token("\"\""))).isNull();
        assertThat(ViberJson.tokenText(token("1.5"))).isNull();
        assertThat(ViberJson.tokenText(token("{}"))).isNull();
    }
}
