package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

class IdentityNormalizerTest {

    private final IdentityNormalizer ua = new IdentityNormalizer("380");
    private final IdentityNormalizer none = new IdentityNormalizer("");

    @Test
    void emailIsTrimmedAndLowerCased() {
        assertThat(ua.normalize("email", "  Ann.Smith@Example.COM ")).hasValue("ann.smith@example.com");
        assertThat(ua.normalize("email", "not-an-email")).isEmpty();
        assertThat(ua.normalize("email", "a@b@c")).isEmpty();
        assertThat(ua.normalize("email", "   ")).isEmpty();
    }

    @Test
    void phoneBecomesE164() {
        assertThat(ua.normalize("phone", "+380 (67) 123-45-67")).hasValue("+380671234567");
        assertThat(ua.normalize("phone", "00380 67 123 45 67")).hasValue("+380671234567");
        assertThat(ua.normalize("phone", "+1 (415) 555-0100")).hasValue("+14155550100");
    }

    @Test
    void aPhoneWithoutCountryCodeGetsTheConfiguredOne() {
        assertThat(ua.normalize("phone", "067 123 45 67")).hasValue("+380671234567");
        assertThat(ua.normalize("phone", "67 123 45 67")).hasValue("+380671234567");
        assertThat(ua.normalize("phone", "380671234567")).hasValue("+380671234567");
        assertThat(none.normalize("phone", "067 123 45 67")).as("no default country code configured").isEmpty();
        assertThat(new IdentityNormalizer("+1").normalize("phone", "415 555 0100")).hasValue("+14155550100");
    }

    @Test
    void invalidPhonesAreRefused() {
        assertThat(ua.normalize("phone", "call me")).isEmpty();
        assertThat(ua.normalize("phone", "+12")).isEmpty();
        assertThat(ua.normalize("phone", "+1234567890123456")).as("more than 15 digits").isEmpty();
        assertThat(ua.normalize("phone", "+0671234567")).as("no country code starts with 0").isEmpty();
    }

    @Test
    void otherTypesAreTrimmedOnly() {
        assertThat(ua.normalize("user_id", " U-42 ")).hasValue("U-42");
        assertThat(ua.normalize("crm_id", "")).isEmpty();
        assertThat(ua.normalize("crm_id", "x".repeat(513))).isEmpty();
    }

    @Test
    void identityTypesAreLowerCaseWords() {
        assertThat(IdentityNormalizer.validType("loyalty_card")).isTrue();
        assertThat(IdentityNormalizer.validType("viber_id")).isTrue();
        assertThat(IdentityNormalizer.validType("Email")).isFalse();
        assertThat(IdentityNormalizer.validType("9lives")).isFalse();
        assertThat(IdentityNormalizer.validType("a-b")).isFalse();
        assertThat(IdentityNormalizer.validType(null)).isFalse();
    }

    @Test
    void aBadDefaultCountryCodeIsAConfigurationError() {
        assertThatThrownBy(() -> new IdentityNormalizer("ukraine")).hasMessageContaining("default-phone-country-code");
    }

    @Test
    void identitiesComeFromIdsIdentifyTraitsAndTheIdentitiesMap() {
        IdentityExtractor extractor = new IdentityExtractor(ua);
        List<String> skipped = new ArrayList<>();
        Event identify = Event.identify().userId("u1").anonymousId("a1").trait("email", "Ann@Example.com")
                .trait("phone", "not a phone").identity("crm_id", "C-7").identity("Bad Type", "x").build();
        IdentityExtractor.Found found = extractor.extract(identify, (type, reason) -> skipped.add(type + ":" + reason));
        assertThat(found.identities()).containsExactly(new Identity("user_id", "u1"), new Identity("anonymous_id", "a1"),
                new Identity("email", "ann@example.com"), new Identity("crm_id", "C-7"));
        assertThat(skipped).containsExactlyInAnyOrder("phone:invalid_phone", "invalid:invalid_type");

        Event track = Event.track("x").userId("u1").trait("email", "b@example.com").build();
        assertThat(extractor.extract(track, (t, r) -> { }).identities()).as("traits of a track are not identities")
                .containsExactly(new Identity("user_id", "u1"));

        Event alias = Event.ofType("alias").userId("u1").previousId(" a9 ").build();
        assertThat(extractor.extract(alias, (t, r) -> { }).previousId()).isEqualTo("a9");
    }
}
