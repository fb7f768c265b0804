package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

class ProfileStoreIT extends ProfileTestSupport {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static List<String> identities(JsonNode profile) {
        List<String> out = new ArrayList<>();
        profile.path("identities").forEach(i -> out.add(i.path("type").asText() + ":" + i.path("value").asText()));
        return out;
    }

    private static List<String> messageIds(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("messageId").asText()));
        return out;
    }

    @Test
    void anonymousVisitsAnIdentifyAndATrackWithPhoneAndEmailBecomeOnePersonAndTheMergeCanBeUndone() {
        String s = unique();
        String anon = "anon-" + s;
        String device2 = "device2-" + s;
        String email = "ann." + s + "@example.com";
        // Two page views of an anonymous visitor.
        submitAndWait(
                Event.ofType("page").name("Home").anonymousId(anon).messageId("p1-" + s).timestamp(T0).build(),
                Event.ofType("page").name("Shoes").anonymousId(anon).messageId("p2-" + s).timestamp(T0.plusSeconds(60)).build());
        long anonymousProfile = profile("anonymous_id", anon).path("id").asLong();

        // The same person signs up on another device.
        submitAndWait(Event.identify().userId("u-" + s).anonymousId(device2).messageId("i1-" + s).timestamp(T0.plusSeconds(120))
                .trait("email", "  Ann." + s + "@Example.COM ").trait("name", "Ann").trait("plan", "free")
                .trait("consents", Map.of("email", Map.of("marketing", true), "sms", Map.of("marketing", false)))
                .build());
        JsonNode signedUp = profile("user_id", "u-" + s);
        long signedUpProfile = signedUp.path("id").asLong();
        assertThat(signedUpProfile).isNotEqualTo(anonymousProfile);
        assertThat(identities(signedUp)).containsExactlyInAnyOrder("anonymous_id:" + device2, "email:" + email, "user_id:u-" + s);

        // An order on the first device with phone and e-mail links both.
        String digits = String.format("%07d", Math.abs(s.hashCode()) % 10_000_000);
        String phone = "+38067" + digits;
        submitAndWait(Event.track("order_completed").anonymousId(anon).messageId("t1-" + s).timestamp(T0.plusSeconds(180))
                .identity("phone", "+380 (67) " + digits.substring(0, 3) + "-" + digits.substring(3, 5) + "-" + digits.substring(5))
                .identity("email", email).property("total", 42).build());

        JsonNode person = profile("email", email.toUpperCase());
        assertThat(person.path("id").asLong()).as("merged into the oldest profile").isEqualTo(anonymousProfile);
        assertThat(identities(person)).containsExactlyInAnyOrder("anonymous_id:" + anon, "anonymous_id:" + device2, "email:" + email,
                "user_id:u-" + s, "phone:" + phone);
        assertThat(profile("phone", phone).path("id").asLong()).isEqualTo(anonymousProfile);
        assertThat(messageIds(person.path("recentEvents"))).as("newest first").containsExactly("t1-" + s, "i1-" + s, "p2-" + s, "p1-" + s);
        assertThat(person.path("traits").path("name").asText()).isEqualTo("Ann");
        assertThat(person.path("traits").path("plan").asText()).isEqualTo("free");
        assertThat(person.path("traits").has("consents")).as("consents are not a trait").isFalse();
        assertThat(person.path("consents").path("email").path("marketing").path("granted").asBoolean()).isTrue();
        assertThat(person.path("consents").path("sms").path("marketing").path("granted").asBoolean()).isFalse();
        assertThat(person.path("segments").isArray()).isTrue();
        assertThat(person.path("merges")).hasSize(1);
        JsonNode merge = person.path("merges").get(0);
        assertThat(merge.path("winnerId").asLong()).isEqualTo(anonymousProfile);
        assertThat(merge.path("loserId").asLong()).isEqualTo(signedUpProfile);
        assertThat(merge.path("messageId").asText()).isEqualTo("t1-" + s);
        assertThat(profile("anonymous_id", device2).path("id").asLong()).isEqualTo(anonymousProfile);

        // Undo: the signed-up profile comes back as it was before the merge.
        HttpResponse<String> undo = adminSend("POST", "/api/v1/profiles/merges/" + merge.path("id").asLong() + "/undo");
        assertThat(undo.statusCode()).as(undo.body()).isEqualTo(200);
        JsonNode restored = profile("email", email);
        assertThat(restored.path("id").asLong()).isEqualTo(signedUpProfile);
        assertThat(identities(restored)).containsExactlyInAnyOrder("anonymous_id:" + device2, "email:" + email, "user_id:u-" + s);
        assertThat(messageIds(restored.path("recentEvents"))).containsExactly("i1-" + s);
        assertThat(restored.path("traits").path("name").asText()).isEqualTo("Ann");
        assertThat(restored.path("consents").path("email").path("marketing").path("granted").asBoolean()).isTrue();
        JsonNode first = profile("anonymous_id", anon);
        assertThat(first.path("id").asLong()).isEqualTo(anonymousProfile);
        assertThat(identities(first)).doesNotContain("email:" + email, "user_id:u-" + s, "anonymous_id:" + device2);
        assertThat(messageIds(first.path("recentEvents"))).as("the triggering event stays with the surviving profile")
                .containsExactly("t1-" + s, "p2-" + s, "p1-" + s);
        assertThat(first.path("traits").has("name")).isFalse();
        assertThat(first.path("consents").isEmpty()).isTrue();

        assertThat(jdbc.queryForObject("SELECT count(*) FROM events e WHERE e.message_id LIKE ? "
                + "AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = e.profile_id)", Long.class, "%-" + s))
                .as("events on a profile that no longer exists (events.profile_id has no foreign key)").isZero();

        HttpResponse<String> again = adminSend("POST", "/api/v1/profiles/merges/" + merge.path("id").asLong() + "/undo");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(readJson(again.body()).path("error").asText()).isEqualTo("conflict");
        assertThat(readJson(again.body()).path("detail").asText()).contains("already undone");
    }

    @Test
    void aMergeThatLaterMergesDependOnCannotBeUndoneUntilTheyAre() {
        String s = unique();
        submitAndWait(Event.ofType("page").anonymousId("a-" + s).messageId("a-" + s).timestamp(T0).build());
        submitAndWait(Event.ofType("page").anonymousId("b-" + s).messageId("b-" + s).timestamp(T0).build());
        submitAndWait(Event.ofType("page").anonymousId("c-" + s).messageId("c-" + s).timestamp(T0).build());
        submitAndWait(Event.track("x").anonymousId("a-" + s).identity("viber_id", "v-" + s).messageId("av-" + s).timestamp(T0).build());
        submitAndWait(Event.track("x").identity("viber_id", "v-" + s).anonymousId("b-" + s).messageId("ab2-" + s).timestamp(T0).build());
        submitAndWait(Event.track("x").identity("viber_id", "v-" + s).anonymousId("c-" + s).messageId("ac-" + s).timestamp(T0).build());

        JsonNode person = profile("anonymous_id", "c-" + s);
        assertThat(identities(person)).contains("anonymous_id:a-" + s, "anonymous_id:b-" + s, "anonymous_id:c-" + s);
        JsonNode merges = person.path("merges");
        assertThat(merges).hasSize(2);
        long older = merges.get(0).path("id").asLong();
        long newer = merges.get(1).path("id").asLong();

        HttpResponse<String> refused = adminSend("POST", "/api/v1/profiles/merges/" + older + "/undo");
        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode detail = readJson(refused.body()).path("detail");
        assertThat(detail.path("message").asText()).contains("undo them first");
        assertThat(detail.path("laterMerges").get(0).asLong()).isEqualTo(newer);

        assertThat(adminSend("POST", "/api/v1/profiles/merges/" + newer + "/undo").statusCode()).isEqualTo(200);
        assertThat(adminSend("POST", "/api/v1/profiles/merges/" + older + "/undo").statusCode()).isEqualTo(200);
        long a = profile("anonymous_id", "a-" + s).path("id").asLong();
        long b = profile("anonymous_id", "b-" + s).path("id").asLong();
        long c = profile("anonymous_id", "c-" + s).path("id").asLong();
        assertThat(List.of(a, b, c)).doesNotHaveDuplicates();

        HttpResponse<String> unknown = adminSend("POST", "/api/v1/profiles/merges/999999999/undo");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("not_found");
    }

    @Test
    void erasureLeavesNothingFindableAndTheAuditEntryHasNoPersonalData() {
        String s = unique();
        String email = "erase." + s + "@example.com";
        String phone = "+38050" + String.format("%07d", Math.abs(s.hashCode()) % 10_000_000);
        submitAndWait(Event.ofType("page").anonymousId("ea-" + s).messageId("e1-" + s).timestamp(T0).build(),
                Event.identify().userId("eu-" + s).anonymousId("eb-" + s).trait("email", email).trait("phone", phone)
                        .messageId("e2-" + s).timestamp(T0.plusSeconds(1)).build());
        submitAndWait(Event.track("bought").anonymousId("ea-" + s).identity("email", email).messageId("e3-" + s)
                .timestamp(T0.plusSeconds(2)).build());
        JsonNode person = profile("phone", phone);
        long id = person.path("id").asLong();
        assertThat(person.path("merges")).hasSize(1);

        HttpResponse<String> export = adminGet(path("email", email) + "/export");
        assertThat(export.statusCode()).isEqualTo(200);
        JsonNode doc = readJson(export.body());
        assertThat(doc.path("id").asLong()).isEqualTo(id);
        assertThat(doc.path("events")).hasSize(3);
        assertThat(doc.path("identities").toString()).contains(email, phone, "eu-" + s, "ea-" + s, "eb-" + s);
        assertThat(doc.path("traits").toString()).contains(email);
        assertThat(doc.path("merges")).hasSize(1);

        HttpResponse<String> erased = adminSend("DELETE", path("user_id", "eu-" + s));
        assertThat(erased.statusCode()).isEqualTo(204);

        for (String[] identity : List.of(new String[] {"email", email}, new String[] {"phone", phone}, new String[] {"user_id", "eu-" + s},
                new String[] {"anonymous_id", "ea-" + s}, new String[] {"anonymous_id", "eb-" + s})) {
            HttpResponse<String> r = adminGet(path(identity[0], identity[1]));
            assertThat(r.statusCode()).as(identity[0]).isEqualTo(404);
            assertThat(readJson(r.body()).path("error").asText()).isEqualTo("not_found");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id LIKE ?", Long.class, "%-" + s)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM identities WHERE value LIKE ?", Long.class, "%" + s + "%")).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM merges WHERE winner_id = ? OR loser_id = ?", Long.class, id, id)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM merges WHERE before::text LIKE ?", Long.class, "%" + s + "%")).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM profiles WHERE id = ?", Long.class, id)).isZero();

        JsonNode audit = readJson(adminGet("/api/v1/audit?limit=50").body());
        JsonNode entry = null;
        for (JsonNode e : audit) {
            if ("profile.erase".equals(e.path("action").asText()) && e.path("target").asText().equals("profile/" + id)) {
                entry = e;
            }
        }
        assertThat(entry).as("audit entry of the erasure").isNotNull();
        assertThat(entry.path("actor").asText()).isNotBlank();
        assertThat(entry.path("detail").path("events").asInt()).isEqualTo(3);
        assertThat(entry.path("detail").path("identities").asInt()).isEqualTo(5);
        assertThat(entry.toString()).doesNotContain(email, phone, "eu-" + s, "ea-" + s, "eb-" + s, s);

        assertThat(adminSend("DELETE", path("user_id", "eu-" + s)).statusCode()).isEqualTo(404);

        // A later event with one of the erased identities starts a fresh profile.
        submitAndWait(Event.track("came_back").userId("eu-" + s).messageId("e4-" + s).timestamp(T0.plusSeconds(3)).build());
        JsonNode fresh = profile("user_id", "eu-" + s);
        assertThat(fresh.path("id").asLong()).isNotEqualTo(id);
        assertThat(identities(fresh)).containsExactly("user_id:eu-" + s);
        assertThat(messageIds(fresh.path("recentEvents"))).containsExactly("e4-" + s);
    }

    @Test
    void theSameMessageIdInTwoBatchesIsOneEvent() {
        String s = unique();
        submitAndWait(Event.track("clicked").userId("d-" + s).messageId("dup-" + s).property("n", 1).timestamp(T0).build());
        double before = duplicatesSkipped();
        intake.submit(List.of(Event.track("clicked").userId("d-" + s).messageId("dup-" + s).property("n", 2).timestamp(T0).build()));
        submitAndWait(Event.track("marker").userId("d-" + s).messageId("after-" + s).timestamp(T0.plusSeconds(5)).build());
        org.awaitility.Awaitility.await().until(() -> duplicatesSkipped() > before);

        JsonNode page = readJson(adminGet(path("user_id", "d-" + s) + "/events").body());
        assertThat(page.path("total").asLong()).isEqualTo(2);
        assertThat(messageIds(page.path("events"))).containsExactly("after-" + s, "dup-" + s);
        assertThat(page.path("events").get(1).path("properties").path("n").asInt()).as("the first one is kept").isEqualTo(1);
    }

    private double duplicatesSkipped() {
        String metrics = get("/actuator/prometheus").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("atrium_profiles_events_total{") && line.contains("result=\"duplicate\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @org.springframework.beans.factory.annotation.Autowired
    ProfileStore store;

    @Test
    void aBatchSaysWhatChangedInWhichProfile() {
        String s = unique();
        ProfileStore.Changes first = store.apply(List.of(
                Event.identify().userId("w-" + s).trait("plan", "gold").messageId("w1-" + s).timestamp(T0).build(),
                Event.ofType("page").anonymousId("a-" + s).messageId("w2-" + s).timestamp(T0).build()));
        assertThat(first.changed().everything()).as("both profiles are new").hasSize(2).containsExactlyInAnyOrderElementsOf(first.profiles());
        assertThat(first.changed().events()).as("a new profile is not repeated").isEmpty();
        long user = profile("user_id", "w-" + s).path("id").asLong();
        long device = profile("anonymous_id", "a-" + s).path("id").asLong();

        ProfileStore.Changes later = store.apply(List.of(
                Event.identify().userId("w-" + s).trait("city", "Lviv").identity("email", "w." + s + "@example.com")
                        .trait("consents", Map.of("email", Map.of("marketing", true))).messageId("w3-" + s).timestamp(T0.plusSeconds(1)).build(),
                Event.ofType("page").anonymousId("a-" + s).messageId("w4-" + s).timestamp(T0.plusSeconds(1)).build()));
        ProfileStore.Changed c = later.changed();
        assertThat(c.everything()).isEmpty();
        assertThat(c.events()).containsOnly(Map.entry("identify", List.of(user)), Map.entry("page", List.of(device)));
        assertThat(c.traits()).as("consents are not a trait").containsOnly(Map.entry("city", List.of(user)));
        assertThat(c.identities()).containsOnly(Map.entry("email", List.of(user)));
        assertThat(c.consents()).containsExactly(user);

        ProfileStore.Changes merge = store.apply(List.of(
                Event.track("Signed In").userId("w-" + s).anonymousId("a-" + s).messageId("w5-" + s).timestamp(T0.plusSeconds(2)).build()));
        assertThat(merge.mergedAway()).containsExactly(Math.max(user, device));
        assertThat(merge.changed().everything()).as("merged into").containsExactly(Math.min(user, device));
    }

    @Test
    void anOlderTraitArrivingLaterDoesNotOverwriteTheNewerOne() {
        String s = unique();
        submitAndWait(Event.identify().userId("o-" + s).trait("plan", "gold").trait("city", "Lviv").messageId("new-" + s)
                .timestamp(T0.plus(2, ChronoUnit.DAYS)).build());
        submitAndWait(Event.identify().userId("o-" + s).trait("plan", "silver").trait("age", 30).messageId("old-" + s)
                .timestamp(T0).build());
        JsonNode person = profile("user_id", "o-" + s);
        assertThat(person.path("traits").path("plan").asText()).isEqualTo("gold");
        assertThat(person.path("traits").path("city").asText()).isEqualTo("Lviv");
        assertThat(person.path("traits").path("age").asInt()).as("a trait only the older event had is set").isEqualTo(30);
        assertThat(messageIds(person.path("recentEvents"))).as("by event time").containsExactly("new-" + s, "old-" + s);
    }

    @Test
    void consentsChangeByEventAndTheNewestWins() {
        String s = unique();
        submitAndWait(Event.identify().userId("c-" + s).trait("consents", Map.of("email", Map.of("marketing", true)))
                .messageId("c1-" + s).timestamp(T0).build());
        submitAndWait(Event.track(ProfileStore.CONSENT_EVENT).userId("c-" + s)
                .properties(Map.of("channel", "email", "purpose", "marketing", "granted", false)).messageId("c2-" + s)
                .timestamp(T0.plusSeconds(10)).build());
        submitAndWait(Event.identify().userId("c-" + s).trait("consents", Map.of("email", Map.of("marketing", true)))
                .messageId("c0-" + s).timestamp(T0.minusSeconds(10)).build());
        JsonNode consent = profile("user_id", "c-" + s).path("consents").path("email").path("marketing");
        assertThat(consent.path("granted").asBoolean()).isFalse();
        assertThat(consent.path("at").asText()).isEqualTo(T0.plusSeconds(10).toString());
    }

    @Test
    void neverMergeDifferentUserIdsKeepsTwoPeopleApart() {
        String s = unique();
        String shared = "family." + s + "@example.com";
        submitAndWait(Event.identify().userId("g1-" + s).trait("email", shared).messageId("g1-" + s).timestamp(T0).build());
        submitAndWait(Event.identify().userId("g2-" + s).trait("email", shared).messageId("g2-" + s).timestamp(T0.plusSeconds(1)).build());
        JsonNode first = profile("user_id", "g1-" + s);
        JsonNode second = profile("user_id", "g2-" + s);
        assertThat(first.path("id").asLong()).isNotEqualTo(second.path("id").asLong());
        assertThat(identities(first)).containsExactlyInAnyOrder("user_id:g1-" + s, "email:" + shared);
        assertThat(identities(second)).as("the event is stored on the profile of its strongest identity").containsExactly("user_id:g2-" + s);
        assertThat(messageIds(second.path("recentEvents"))).containsExactly("g2-" + s);
        assertThat(profile("email", shared).path("id").asLong()).isEqualTo(first.path("id").asLong());
    }

    @Test
    void theApiValidatesAndPagesEvents() {
        String s = unique();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            events.add(Event.track("view").userId("pg-" + s).messageId("pg" + i + "-" + s).timestamp(T0.plusSeconds(i)).build());
        }
        submitAndWait(events.toArray(Event[]::new));
        JsonNode page1 = readJson(adminGet(path("user_id", "pg-" + s) + "/events?page=1&size=10").body());
        assertThat(page1.path("total").asLong()).isEqualTo(25);
        assertThat(page1.path("page").asInt()).isEqualTo(1);
        assertThat(messageIds(page1.path("events"))).hasSize(10).first().isEqualTo("pg14-" + s);
        assertThat(profile("user_id", "pg-" + s).path("recentEvents")).hasSize(20);

        HttpResponse<String> big = adminGet(path("user_id", "pg-" + s) + "/events?size=501");
        assertThat(big.statusCode()).isEqualTo(400);
        assertThat(readJson(big.body()).path("detail").path("field").asText()).isEqualTo("size");
        HttpResponse<String> negative = adminGet(path("user_id", "pg-" + s) + "/events?page=-1");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(readJson(negative.body()).path("detail").path("field").asText()).isEqualTo("page");

        HttpResponse<String> badType = adminGet("/api/v1/profiles/E-Mail/x@example.com");
        assertThat(badType.statusCode()).isEqualTo(400);
        assertThat(readJson(badType.body()).path("error").asText()).isEqualTo("bad_request");
        assertThat(readJson(badType.body()).path("detail").path("field").asText()).isEqualTo("idType");

        HttpResponse<String> unknown = adminGet(path("email", "nobody-" + s + "@example.com"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(unknown.body()).doesNotContain("nobody-" + s);

        assertThat(get(path("user_id", "pg-" + s)).statusCode()).as("needs the admin token").isEqualTo(401);
    }

    @Test
    void invalidIdentitiesAreSkippedButTheEventIsStored() {
        String s = unique();
        submitAndWait(Event.identify().userId("iv-" + s).trait("phone", "call me maybe").trait("email", "nobody")
                .identity("Bad-Type", "x").identity("crm_id", "   ").identity("loyalty_card", "LC-" + s)
                .messageId("iv-" + s).timestamp(T0).build());
        JsonNode person = profile("user_id", "iv-" + s);
        assertThat(identities(person)).containsExactlyInAnyOrder("user_id:iv-" + s, "loyalty_card:LC-" + s);
        assertThat(person.path("traits").path("phone").asText()).as("still a trait").isEqualTo("call me maybe");
        assertThat(messageIds(person.path("recentEvents"))).containsExactly("iv-" + s);
        assertThat(profile("loyalty_card", "LC-" + s).path("id").asLong()).isEqualTo(person.path("id").asLong());
        assertThat(get("/actuator/prometheus").body())
                .containsPattern("atrium_profiles_identities_skipped_total\\{[^}]*reason=\"invalid_phone\"[^}]*type=\"phone\"")
                .containsPattern("atrium_profiles_identities_skipped_total\\{[^}]*reason=\"invalid_type\"");
    }

    @Test
    void anEventWithoutMessageIdIsStillStoredOnce() {
        String s = unique();
        Event noId = Event.track("clicked").userId("nm-" + s).timestamp(T0).property("button", "buy").build();
        intake.submit(List.of(noId));
        submitAndWait(Event.track("marker").userId("nm-" + s).messageId("nm-marker-" + s).timestamp(T0.plusSeconds(1)).build());
        intake.submit(List.of(noId));
        submitAndWait(Event.track("marker").userId("nm-" + s).messageId("nm-marker2-" + s).timestamp(T0.plusSeconds(2)).build());
        JsonNode events = readJson(adminGet(path("user_id", "nm-" + s) + "/events").body());
        assertThat(events.path("total").asLong()).isEqualTo(3);
        assertThat(events.path("events").get(2).path("messageId").asText()).startsWith("derived-");
    }

    @Test
    void anAliasLinksThePreviousIdToTheUser() {
        String s = unique();
        submitAndWait(Event.ofType("page").anonymousId("al-" + s).messageId("al1-" + s).timestamp(T0).build());
        submitAndWait(Event.identify().userId("alu-" + s).messageId("al2-" + s).timestamp(T0.plusSeconds(1)).build());
        submitAndWait(Event.ofType("alias").userId("alu-" + s).previousId("al-" + s).messageId("al3-" + s).timestamp(T0.plusSeconds(2)).build());
        JsonNode person = profile("user_id", "alu-" + s);
        assertThat(identities(person)).containsExactlyInAnyOrder("user_id:alu-" + s, "anonymous_id:al-" + s);
        assertThat(messageIds(person.path("recentEvents"))).containsExactly("al3-" + s, "al2-" + s, "al1-" + s);
        assertThat(person.path("merges")).hasSize(1);
    }
}
