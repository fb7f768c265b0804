package io.atrium.plugins.viber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.junit.jupiter.api.Test;

class ViberSignatureTest {

    /** Vectors computed independently with {@code openssl dgst -sha256 -hmac <key>}. */
    static final String FOX = "The quick brown fox jumps over the lazy dog";
    static final String FOX_SIG = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    static final String VIBER_TOKEN = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9";
    static final String DELIVERED = "{\"event\":\"delivered\",\"timestamp\":1457764197627,"
            + "\"message_token\":4912661846655238145,\"user_id\":\"01234567890A=\"}";
    static final String DELIVERED_SIG = "febabcf997f443d0b3d431760f6922b970777335e38af1c88df59bbb1e5c002a";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void signsLikeOpenssl() {
        assertThat(new ViberSignature("key").sign(utf8(FOX))).isEqualTo(FOX_SIG);
        assertThat(new ViberSignature("key").sign(new byte[0]))
                .isEqualTo("5d5d139563c95b5967b9bd9a8c9b233a9dedb45072794cd232dc1b74832607d0");
        assertThat(new ViberSignature(VIBER_TOKEN).sign(utf8(DELIVERED))).isEqualTo(DELIVERED_SIG);
    }

    @Test
    void acceptsTheRightSignatureInEitherCase() {
        ViberSignature s = new ViberSignature(VIBER_TOKEN);
        assertThat(s.verify(utf8(DELIVERED), DELIVERED_SIG)).isTrue();
        assertThat(s.verify(utf8(DELIVERED), DELIVERED_SIG.toUpperCase(Locale.ROOT))).isTrue();
        assertThat(s.verify(utf8(DELIVERED), " " + DELIVERED_SIG + " ")).isTrue();
    }

    @Test
    void refusesAnyOtherBodyKeyOrSignature() {
        ViberSignature s = new ViberSignature(VIBER_TOKEN);
        assertThat(s.verify(utf8(DELIVERED + " "), DELIVERED_SIG)).isFalse();
        assertThat(new ViberSignature(VIBER_TOKEN + "x").verify(utf8(DELIVERED), DELIVERED_SIG)).isFalse();
        String flipped = DELIVERED_SIG.substring(0, 63) + (DELIVERED_SIG.endsWith("a") ? "b" : "a");
        assertThat(s.verify(utf8(DELIVERED), flipped)).isFalse();
    }

    @Test
    void refusesMissingTruncatedAndMalformedHeaders() {
        ViberSignature s = new ViberSignature(VIBER_TOKEN);
        assertThat(s.verify(utf8(DELIVERED), null)).isFalse();
        assertThat(s.verify(utf8(DELIVERED), "")).isFalse();
        assertThat(s.verify(utf8(DELIVERED), DELIVERED_SIG.substring(0, 62))).isFalse();
        assertThat(s.verify(utf8(DELIVERED), DELIVERED_SIG + "00")).isFalse();
        assertThat(s.verify(utf8(DELIVERED), "z".repeat(64))).isFalse();
        assertThat(s.verify(utf8(DELIVERED), "sha256=" + DELIVERED_SIG)).isFalse();
    }

    @Test
    void anEmptyKeyIsAProgrammingError() {
        assertThatThrownBy(() -> new ViberSignature("")).isInstanceOf(IllegalArgumentException.class);
    }
}
