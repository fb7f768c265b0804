package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class HubSpotSignatureTest {

    static final String SECRET = "client-secret-123";
    static final long TS = 1_700_000_000_000L;
    static final byte[] BODY = "[{\"objectId\":901,\"subscriptionType\":\"contact.propertyChange\"}]"
            .getBytes(StandardCharsets.UTF_8);
    static final String URI = "https://atrium.example.com/hooks/crm";
    /** printf 'POST' + URI + BODY + TS | openssl dgst -sha256 -hmac client-secret-123 -binary | base64 */
    static final String EXPECTED = "NIogH9HFnvetr1VQYGodlIz7HrgyUAC0kFAHqBMx3rc=";

    static HubSpotSignature at(long millis) {
        return new HubSpotSignature(SECRET, Clock.fixed(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    @Test
    void signsMethodUriBodyAndTimestampAsOpensslDoes() {
        assertThat(at(TS).sign("POST", URI, BODY, Long.toString(TS))).isEqualTo(EXPECTED);
    }

    @Test
    void aRequestSignedThatWayIsValid() {
        assertThat(at(TS + 1000).verify("POST", URI, BODY, EXPECTED, Long.toString(TS)))
                .isEqualTo(HubSpotSignature.Verdict.VALID);
    }

    @Test
    void anyChangeToMethodUriBodyOrTimestampMakesItWrong() {
        HubSpotSignature s = at(TS);
        String ts = Long.toString(TS);
        assertThat(s.verify("GET", URI, BODY, EXPECTED, ts)).isEqualTo(HubSpotSignature.Verdict.WRONG);
        assertThat(s.verify("POST", URI + "/", BODY, EXPECTED, ts)).isEqualTo(HubSpotSignature.Verdict.WRONG);
        assertThat(s.verify("POST", "http://atrium.example.com/hooks/crm", BODY, EXPECTED, ts))
                .isEqualTo(HubSpotSignature.Verdict.WRONG);
        byte[] other = BODY.clone();
        other[15] = '2';
        assertThat(s.verify("POST", URI, other, EXPECTED, ts)).isEqualTo(HubSpotSignature.Verdict.WRONG);
        assertThat(s.verify("POST", URI, BODY, EXPECTED, Long.toString(TS + 1))).isEqualTo(HubSpotSignature.Verdict.WRONG);
        assertThat(new HubSpotSignature("another-secret", Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC))
                .verify("POST", URI, BODY, EXPECTED, ts)).isEqualTo(HubSpotSignature.Verdict.WRONG);
    }

    @Test
    void aTimestampOlderThanFiveMinutesIsRefusedEvenWithTheRightSignature() {
        String ts = Long.toString(TS);
        assertThat(at(TS + 5 * 60_000).verify("POST", URI, BODY, EXPECTED, ts)).isEqualTo(HubSpotSignature.Verdict.VALID);
        assertThat(at(TS + 5 * 60_000 + 1).verify("POST", URI, BODY, EXPECTED, ts))
                .isEqualTo(HubSpotSignature.Verdict.EXPIRED);
        assertThat(at(TS - 5 * 60_000 - 1).verify("POST", URI, BODY, EXPECTED, ts))
                .isEqualTo(HubSpotSignature.Verdict.EXPIRED);
    }

    @Test
    void missingOrMalformedHeadersAreRefused() {
        HubSpotSignature s = at(TS);
        assertThat(s.verify("POST", URI, BODY, null, Long.toString(TS))).isEqualTo(HubSpotSignature.Verdict.MISSING);
        assertThat(s.verify("POST", URI, BODY, EXPECTED, null)).isEqualTo(HubSpotSignature.Verdict.MISSING);
        assertThat(s.verify("POST", URI, BODY, " ", Long.toString(TS))).isEqualTo(HubSpotSignature.Verdict.MISSING);
        assertThat(s.verify("POST", URI, BODY, EXPECTED, "2023-11-14T22:13:20Z"))
                .isEqualTo(HubSpotSignature.Verdict.BAD_TIMESTAMP);
        assertThat(s.verify("POST", URI, BODY, "not base64 !!", Long.toString(TS))).isEqualTo(HubSpotSignature.Verdict.WRONG);
        assertThat(s.verify("POST", URI, BODY, "c2hvcnQ=", Long.toString(TS))).isEqualTo(HubSpotSignature.Verdict.WRONG);
    }

    @Test
    void theUriIsSignedWithHubSpotsListOfEscapesDecoded() {
        assertThat(HubSpotSignature.canonicalUri("https://h/x?a=b%3Ac%2Fd%3Fe%40f%21g%24h%27i%28j%29k%2Al%2Cm%3Bn"))
                .isEqualTo("https://h/x?a=b:c/d?e@f!g$h'i(j)k*l,m;n");
        assertThat(HubSpotSignature.canonicalUri("https://h/x?a=%3a%2f")).isEqualTo("https://h/x?a=:/");
        // Other escapes stay as they are.
        assertThat(HubSpotSignature.canonicalUri("https://h/x?q=a%20b%26c%3D")).isEqualTo("https://h/x?q=a%20b%26c%3D");
        // printf 'POSThttps://atrium.example.com/hooks/crm?a=b:c[]1700000000000' | openssl dgst -sha256 -hmac ... | base64
        assertThat(at(TS).verify("POST", "https://atrium.example.com/hooks/crm?a=b%3Ac", "[]".getBytes(StandardCharsets.UTF_8),
                "ChVggw1S3Si9g+qC8kwJoISy9DZNnA7FUFoEzxexjGI=", Long.toString(TS))).isEqualTo(HubSpotSignature.Verdict.VALID);
    }
}
