package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.ConfigKey;
import io.atrium.plugin.api.ConfigSpec;
import io.atrium.plugin.api.PluginConfig;

import org.junit.jupiter.api.Test;

/** One test per configuration rule: the spec's own checks, then the rules between keys in {@link SmsConfig#parse}. */
class SmsConfigTest {

    static final String TOKEN = "0123456789abcdef0123";

    static Map<String, Object> smpp() {
        Map<String, Object> c = new HashMap<>();
        c.put("smpp-host", "smsc.example.net");
        c.put("system-id", "atrium");
        c.put("password", "pw123");
        c.put("source-address", "ATRIUM");
        return c;
    }

    static Map<String, Object> http() {
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "http");
        c.put("http-url", "http://kannel:13013/cgi-bin/sendsms?to={to}&text={text}&dlr-url={dlrUrl}");
        c.put("callback-token", TOKEN);
        return c;
    }

    static PluginConfig valid(Map<String, Object> raw) {
        ConfigSpec.Validation v = SmsConfig.SPEC.validate(raw);
        assertThat(v.problems()).isEmpty();
        return v.config();
    }

    static String problem(Map<String, Object> raw) {
        try {
            SmsConfig.parse(valid(raw));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a configuration problem in " + raw);
    }

    @Test
    void smppDefaults() {
        SmppSettings s = (SmppSettings) SmsConfig.parse(valid(smpp()));
        assertThat(s.port()).isEqualTo(2775);
        assertThat(s.ratePerSecond()).isEqualTo(20.0);
        assertThat(s.registeredDelivery()).isTrue();
        assertThat(s.destTon()).isEqualTo((byte) 1);
        assertThat(s.destNpi()).isEqualTo((byte) 1);
        assertThat(s.sourceTon()).isEqualTo((byte) 5);
        assertThat(s.sourceNpi()).isEqualTo((byte) 0);
        assertThat(s.enquireLinkInterval()).hasSeconds(30);
        assertThat(s.toString()).doesNotContain("pw123");
    }

    @Test
    void everyKeyHasADescriptionAndTheSecretsAreMarked() {
        for (ConfigKey key : SmsConfig.SPEC.keys()) {
            assertThat(key.description()).as(key.name()).isNotBlank();
        }
        assertThat(SmsConfig.SPEC.keys()).filteredOn(ConfigKey::isSecret).extracting(ConfigKey::name)
                .containsExactlyInAnyOrder("password", "http-password", "http-token", "callback-token");
    }

    @Test
    void anUnknownModeIsRefusedBySpec() {
        Map<String, Object> c = smpp();
        c.put("mode", "carrier-pigeon");
        assertThat(SmsConfig.SPEC.validate(c).problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("'mode'", "[smpp, http]"));
    }

    @Test
    void aMisspelledKeyIsRefusedWithASuggestion() {
        Map<String, Object> c = smpp();
        c.put("smpp-hots", "x");
        assertThat(SmsConfig.SPEC.validate(c).problems()).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("did you mean 'smpp-host'"));
    }

    @Test
    void smppModeNeedsHostSystemIdAndSourceAddressAllReportedTogether() {
        String message = problem(Map.of());
        assertThat(message).contains("missing key 'smpp-host', required in mode smpp",
                "missing key 'system-id'", "missing key 'source-address'");
    }

    @Test
    void sourceTonAndNpiAreDerivedFromTheSourceAddress() {
        Map<String, Object> c = smpp();
        c.put("source-address", "+380441234567");
        SmppSettings international = (SmppSettings) SmsConfig.parse(valid(c));
        assertThat(international.sourceTon()).isEqualTo((byte) 1);
        assertThat(international.sourceNpi()).isEqualTo((byte) 1);
        assertThat(international.sourceAddress()).isEqualTo("380441234567");
        c.put("source-address", "4242");
        SmppSettings shortCode = (SmppSettings) SmsConfig.parse(valid(c));
        assertThat(shortCode.sourceTon()).isEqualTo((byte) 0);
        assertThat(shortCode.sourceNpi()).isEqualTo((byte) 1);
        c.put("source-ton", 3);
        c.put("source-npi", 0);
        SmppSettings explicit = (SmppSettings) SmsConfig.parse(valid(c));
        assertThat(explicit.sourceTon()).isEqualTo((byte) 3);
        assertThat(explicit.sourceNpi()).isEqualTo((byte) 0);
    }

    @Test
    void aTonOrNpiOutsideSmppIsRefused() {
        Map<String, Object> c = smpp();
        c.put("dest-ton", 9);
        c.put("source-npi", 2);
        assertThat(problem(c)).contains("key 'dest-ton' must be an SMPP type of number 0-6", "got 9",
                "key 'source-npi' must be an SMPP numbering plan indicator", "got 2");
    }

    @Test
    void aPortOutsideTcpIsRefused() {
        Map<String, Object> c = smpp();
        c.put("smpp-port", 70000);
        assertThat(problem(c)).contains("key 'smpp-port' must be a TCP port 1-65535, got 70000");
    }

    @Test
    void smppFieldLengthsAreCheckedWithoutShowingThePassword() {
        Map<String, Object> c = smpp();
        c.put("system-id", "a-system-id-far-too-long");
        c.put("password", "longer-than-eight");
        String message = problem(c);
        assertThat(message).contains("key 'system-id' is at most 15 characters", "key 'password' is at most 8 characters")
                .doesNotContain("longer-than-eight");
    }

    @Test
    void aZeroDurationIsRefused() {
        Map<String, Object> c = smpp();
        c.put("reconnect-delay", "0s");
        assertThat(problem(c)).contains("key 'reconnect-delay' must be a positive duration");
    }

    @Test
    void aNegativeRateIsRefusedAndZeroMeansNoLimit() {
        Map<String, Object> c = smpp();
        c.put("rate-per-second", -1);
        assertThat(problem(c)).contains("key 'rate-per-second' must be 0 (no limit) or a positive number");
        c.put("rate-per-second", 0);
        assertThat(SmsConfig.parse(valid(c)).ratePerSecond()).isZero();
    }

    @Test
    void keysOfTheOtherModeAreRefused() {
        Map<String, Object> c = smpp();
        c.put("http-url", "http://x/");
        assertThat(problem(c)).contains("key 'http-url' only applies to mode http, but mode is smpp");
        Map<String, Object> h = http();
        h.put("smpp-host", "smsc");
        assertThat(problem(h)).contains("key 'smpp-host' only applies to mode smpp, but mode is http");
    }

    @Test
    void httpDefaults() {
        HttpSettings s = (HttpSettings) SmsConfig.parse(valid(http()));
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.auth()).isEqualTo("none");
        assertThat(s.accepted().accepts(202)).isTrue();
        assertThat(s.accepted().accepts(302)).isFalse();
        assertThat(s.callbackPath()).isEqualTo("/hooks/sms/dlr");
        assertThat(s.inboundPath()).isEqualTo("/hooks/sms/inbound");
        assertThat(s.timeout()).hasSeconds(10);
        assertThat(s.toString()).doesNotContain(TOKEN);
    }

    @Test
    void httpModeNeedsTheUrlAndTheCallbackToken() {
        assertThat(problem(Map.of("mode", "http"))).contains("missing key 'http-url', required in mode http",
                "missing key 'callback-token', required in mode http");
    }

    @Test
    void aShortOrUrlUnsafeCallbackTokenIsRefusedWithoutShowingIt() {
        Map<String, Object> c = http();
        c.put("callback-token", "short%token");
        assertThat(problem(c)).contains("key 'callback-token' must be at least 16 characters").doesNotContain("short%token");
    }

    @Test
    void anUnknownPlaceholderIsRefusedNamingTheKey() {
        Map<String, Object> c = http();
        c.put("http-url", "http://kannel/cgi-bin/sendsms?to={phone}");
        assertThat(problem(c)).contains("key 'http-url' uses unknown placeholder {phone}", "{to}", "{dlrUrl}");
    }

    @Test
    void theUrlMustBeAbsoluteHttp() {
        Map<String, Object> c = http();
        c.put("http-url", "ftp://gateway/send?to={to}");
        assertThat(problem(c)).contains("key 'http-url' must be an absolute http:// or https:// URL");
        c.put("http-url", "/cgi-bin/sendsms?to={to}");
        assertThat(problem(c)).contains("key 'http-url' must be an absolute");
        c.put("http-url", "http://gateway/send?text=a b");
        assertThat(problem(c)).contains("key 'http-url' is not a valid URL");
    }

    @Test
    void postNeedsABodyAndGetTakesNone() {
        Map<String, Object> c = http();
        c.put("http-method", "POST");
        assertThat(problem(c)).contains("key 'http-body' is required with http-method POST");
        Map<String, Object> g = http();
        g.put("http-body", "to={to}");
        g.put("http-content-type", "text/plain");
        assertThat(problem(g)).contains("key 'http-body' is only sent with http-method POST",
                "key 'http-content-type' is only used with http-method POST");
    }

    @Test
    void thePostContentTypeFollowsTheBody() {
        Map<String, Object> c = http();
        c.put("http-method", "POST");
        c.put("http-body", "{\"to\":\"{to}\"}");
        assertThat(((HttpSettings) SmsConfig.parse(valid(c))).contentType()).isEqualTo("application/json");
        c.put("http-body", "to={to}&text={text}");
        assertThat(((HttpSettings) SmsConfig.parse(valid(c))).contentType()).isEqualTo("application/x-www-form-urlencoded");
        c.put("http-content-type", "application/xml");
        assertThat(((HttpSettings) SmsConfig.parse(valid(c))).contentType()).isEqualTo("application/xml");
    }

    @Test
    void basicAuthNeedsUserAndPasswordAndBearerATokenNamingTheKeys() {
        Map<String, Object> c = http();
        c.put("http-auth", "basic");
        assertThat(problem(c)).contains("key 'http-username' is required with http-auth basic",
                "key 'http-password' is required with http-auth basic");
        c.put("http-auth", "bearer");
        assertThat(problem(c)).contains("key 'http-token' is required with http-auth bearer");
    }

    @Test
    void aPlaceholderForACredentialNeedsThatKey() {
        Map<String, Object> c = http();
        c.put("http-url", "http://kannel/cgi-bin/sendsms?username={username}&password={password}&to={to}&from={from}");
        assertThat(problem(c)).contains("key 'http-url' uses {username} but key 'http-username' is not set",
                "uses {password} but key 'http-password' is not set", "uses {from} but key 'source-address' is not set");
    }

    @Test
    void acceptedStatusAndIdPatternAreChecked() {
        Map<String, Object> c = http();
        c.put("http-accepted-status", "2xx,ok");
        c.put("http-id-pattern", "id=([0-9]+");
        assertThat(problem(c)).contains("key 'http-accepted-status' expects HTTP statuses", "'ok'",
                "key 'http-id-pattern' is not a valid regular expression");
    }

    @Test
    void callbackPathsMustBePathsAndDiffer() {
        Map<String, Object> c = http();
        c.put("callback-path", "hooks/dlr");
        assertThat(problem(c)).contains("key 'callback-path' must be a path starting with '/'");
        c.put("callback-path", "/hooks/sms");
        c.put("inbound-path", "/hooks/sms");
        assertThat(problem(c)).contains("keys 'callback-path' and 'inbound-path' must be different paths");
    }

    @Test
    void theLoggedConfigurationMasksSecretsAndLeavesOutTheOtherMode() {
        Map<String, Object> shown = SmsConfig.shown(valid(smpp()));
        assertThat(shown).containsEntry("password", ConfigSpec.MASK).containsEntry("smpp-host", "smsc.example.net")
                .doesNotContainKeys("http-method", "callback-path");
        Map<String, Object> shownHttp = SmsConfig.shown(valid(http()));
        assertThat(shownHttp).containsEntry("callback-token", ConfigSpec.MASK).doesNotContainKeys("smpp-port", "dest-ton");
    }
}
