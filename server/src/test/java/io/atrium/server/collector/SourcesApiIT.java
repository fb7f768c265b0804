package io.atrium.server.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

class SourcesApiIT extends CollectorTestSupport {

    @Test
    void anAdminCreatesListsAndRevokesASourceAndEveryChangeIsAudited() {
        HttpResponse<String> created = adminPost("/api/v1/sources", "{\"name\": \"web-shop-roundtrip\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode source = readJson(created.body());
        String id = source.path("id").asText();
        String key = source.path("writeKey").asText();
        assertThat(source.path("name").asText()).isEqualTo("web-shop-roundtrip");
        assertThat(source.path("active").asBoolean()).isTrue();
        assertThat(key).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9_-]+");

        HttpResponse<String> list = adminGet("/api/v1/sources");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(readJson(list.body()).findValues("writeKey").stream().map(JsonNode::asText)).contains(key);

        assertThat(adminDelete("/api/v1/sources/" + id).statusCode()).isEqualTo(204);
        JsonNode revoked = readJson(adminGet("/api/v1/sources/" + id).body());
        assertThat(revoked.path("active").asBoolean()).isFalse();
        assertThat(revoked.path("revokedAt").isNull()).isFalse();
        // Revoking again changes nothing.
        assertThat(adminDelete("/api/v1/sources/" + id).statusCode()).isEqualTo(204);

        String audit = adminGet("/api/v1/audit?limit=50").body();
        assertThat(audit).contains("source.create", "source.revoke", id, "web-shop-roundtrip").doesNotContain(key);

        // The name is free again once its source is revoked.
        assertThat(adminPost("/api/v1/sources", "{\"name\": \"web-shop-roundtrip\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void badNamesAndDuplicatesAreRefusedNamingTheField() {
        for (String body : new String[] {"{}", "{\"name\": \"\"}", "{\"name\": \"   \"}", "{\"name\": 5}",
                "{\"name\": \"" + "x".repeat(101) + "\"}"}) {
            HttpResponse<String> refused = adminPost("/api/v1/sources", body);
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(readJson(refused.body()).path("detail").path("field").asText()).as(body).isEqualTo("name");
        }
        assertThat(readJson(adminPost("/api/v1/sources", "{\"name\": \"" + "x".repeat(101) + "\"}").body())
                .path("detail").path("message").asText()).contains("at most 100");

        assertThat(adminPost("/api/v1/sources", "{\"name\": \"crm-duplicate\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> duplicate = adminPost("/api/v1/sources", "{\"name\": \"crm-duplicate\"}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(readJson(duplicate.body()).path("error").asText()).isEqualTo("conflict");
        assertThat(readJson(duplicate.body()).path("detail").path("message").asText()).contains("crm-duplicate");
    }

    @Test
    void unknownSourcesAnswer404AndTheApiNeedsTheAdminToken() {
        HttpResponse<String> unknown = adminDelete("/api/v1/sources/00000000-0000-0000-0000-000000000000");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(readJson(unknown.body()).path("error").asText()).isEqualTo("not_found");
        assertThat(adminDelete("/api/v1/sources/not-a-uuid").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/sources").statusCode()).isEqualTo(401);
    }
}
