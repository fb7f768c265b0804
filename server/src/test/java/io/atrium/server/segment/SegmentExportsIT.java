package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.config.DataDirectory;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** CSV exports of a segment's members: a background job with progress, its file, and every refusal. */
class SegmentExportsIT extends HubTestSupport {

    @Autowired
    EventIntake intake;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    SegmentExports exports;

    @Autowired
    SegmentStore store;

    @Autowired
    DataDirectory data;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void resetSeams() {
        exports.progressEvery = Duration.ofMillis(500);
        exports.pages = (job, rows) -> { };
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
        return send((body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))).build());
    }

    private long segment(String name) {
        HttpResponse<String> r = call("POST", "/api/v1/segments", "{\"name\": \"" + name + " " + run
                + "\", \"rule\": {\"trait\": \"run\", \"op\": \"eq\", \"value\": \"" + run + "\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return readJson(r.body()).path("id").asLong();
    }

    /** {@code n} plain people of this run, stored. */
    private List<String> people(int n) {
        List<Event> events = new ArrayList<>();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String user = "exp-" + i + "-" + run;
            users.add(user);
            events.add(Event.identify().userId(user).messageId(user + "-id").timestamp(Instant.now().minusSeconds(60))
                    .trait("run", run).trait("n", i).build());
        }
        store(events);
        return users;
    }

    private void store(List<Event> events) {
        intake.submit(events);
        String[] ids = events.stream().map(Event::messageId).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids) == ids.length);
    }

    private JsonNode awaitState(long segmentId, long jobId, String state) {
        JsonNode[] job = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> r = adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobId);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            job[0] = readJson(r.body());
            assertThat(job[0].path("state").asText()).as(r.body()).isEqualTo(state);
        });
        return job[0];
    }

    @Test
    void aMarketerExportsASegmentAsCsvWithIdentitiesAndTraitsProperlyEscaped() {
        List<Event> events = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(120);
        events.add(Event.identify().userId("ann-" + run).messageId("ann-" + run).timestamp(at).trait("run", run)
                .trait("email", "Ann." + run + "@Example.com").trait("phone", "+380 67 123 45 67")
                .trait("city", "Kyiv, Ukraine").trait("nickname", "Annie \"A\" K").trait("note", "line one\nline two")
                .trait("age", 34).trait("vip", true).trait("address", Map.of("street", "Khreshchatyk 1", "zip", "01001"))
                .identity("crm_id", "CRM-" + run).build());
        events.add(Event.identify().userId("bob-" + run).messageId("bob-" + run).timestamp(at).trait("run", run)
                .trait("city", " Lviv ").build());
        // Two devices of one person: two anonymous ids on one profile.
        events.add(Event.track("viewed").userId("bob-" + run).anonymousId("dev-b-" + run).messageId("bob-t1-" + run)
                .timestamp(at).build());
        events.add(Event.track("viewed").userId("bob-" + run).anonymousId("dev-a-" + run).messageId("bob-t2-" + run)
                .timestamp(at.plusSeconds(1)).build());
        // Not in the segment.
        events.add(Event.identify().userId("cid-" + run).messageId("cid-" + run).timestamp(at).trait("run", "other-" + run).build());
        store(events);
        long segmentId = segment("Export people");

        HttpResponse<String> started = call("POST", "/api/v1/segments/" + segmentId + "/exports", null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode job = readJson(started.body());
        long jobId = job.path("id").asLong();
        assertThat(job.path("segmentId").asLong()).isEqualTo(segmentId);
        assertThat(job.path("state").asText()).isEqualTo("running");
        assertThat(job.has("startedAt")).isTrue();
        assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/segments/" + segmentId + "/exports/" + jobId);

        JsonNode done = awaitState(segmentId, jobId, "done");
        assertThat(done.path("rows").asLong()).isEqualTo(2);
        assertThat(done.path("total").asLong()).isEqualTo(2);
        assertThat(done.path("finishedAt").isTextual()).isTrue();
        assertThat(done.path("error").isNull()).isTrue();
        assertThat(readJson(adminGet("/api/v1/segments/" + segmentId + "/exports").body()).get(0).path("id").asLong()).isEqualTo(jobId);

        HttpResponse<String> file = adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobId + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(file.headers().firstValue("Content-Disposition")).hasValueSatisfying(d -> assertThat(d).contains("attachment"));
        // The quoting is exactly RFC 4180's.
        assertThat(file.body()).contains(",\"Kyiv, Ukraine\",", ",\"Annie \"\"A\"\" K\",", ",\"line one\nline two\",",
                ",\" Lviv \"", "\r\n");

        List<Map<String, String>> rows = parse(file.body());
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).keySet()).startsWith("profile_id", "user_id", "email", "phone", "crm_id", "anonymous_id")
                .contains("traits.run", "traits.city", "traits.nickname", "traits.note", "traits.age", "traits.vip",
                        "traits.address", "traits.email", "traits.phone");
        Map<String, String> ann = rows.stream().filter(r -> r.get("user_id").equals("ann-" + run)).findFirst().orElseThrow();
        long annId = jdbc.queryForObject("SELECT profile_id FROM identities WHERE type = 'user_id' AND value = ?", Long.class, "ann-" + run);
        assertThat(ann.get("profile_id")).isEqualTo(Long.toString(annId));
        assertThat(ann.get("email")).isEqualTo(jdbc.queryForObject(
                "SELECT value FROM identities WHERE profile_id = ? AND type = 'email'", String.class, annId));
        assertThat(ann.get("phone")).isEqualTo(jdbc.queryForObject(
                "SELECT value FROM identities WHERE profile_id = ? AND type = 'phone'", String.class, annId));
        assertThat(ann.get("crm_id")).isEqualTo("CRM-" + run);
        assertThat(ann.get("anonymous_id")).isEmpty();
        assertThat(ann.get("traits.city")).isEqualTo("Kyiv, Ukraine");
        assertThat(ann.get("traits.nickname")).isEqualTo("Annie \"A\" K");
        assertThat(ann.get("traits.note")).isEqualTo("line one\nline two");
        assertThat(ann.get("traits.age")).isEqualTo("34");
        assertThat(ann.get("traits.vip")).isEqualTo("true");
        assertThat(readJson(ann.get("traits.address"))).isEqualTo(readJson("{\"street\": \"Khreshchatyk 1\", \"zip\": \"01001\"}"));
        Map<String, String> bob = rows.stream().filter(r -> r.get("user_id").equals("bob-" + run)).findFirst().orElseThrow();
        assertThat(bob.get("traits.city")).isEqualTo(" Lviv ");
        assertThat(bob.get("anonymous_id")).isEqualTo("dev-a-" + run + ";dev-b-" + run);
        assertThat(bob.get("email")).isEmpty();
        assertThat(bob.get("traits.nickname")).isEmpty();
        assertThat(adminGet("/api/v1/audit").body()).contains("segment.export");
    }

    @Test
    void progressShowsRowsWrittenSoFarAndTheFileWaitsUntilTheJobIsDone() throws Exception {
        people(10);
        long segmentId = segment("Export progress");
        CountDownLatch release = new CountDownLatch(1);
        exports.progressEvery = Duration.ZERO;
        exports.pages = (job, rows) -> release.await(30, TimeUnit.SECONDS);

        SegmentExports.Job job = exports.start(store.get(segmentId).orElseThrow(), 3);
        try {
            // The first page of 3 is written and recorded; the job waits before the next one.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode now = readJson(adminGet("/api/v1/segments/" + segmentId + "/exports/" + job.id()).body());
                assertThat(now.path("state").asText()).isEqualTo("running");
                assertThat(now.path("rows").asLong()).isEqualTo(3);
                assertThat(now.path("total").asLong()).isEqualTo(10);
            });
            HttpResponse<String> early = adminGet("/api/v1/segments/" + segmentId + "/exports/" + job.id() + "/file");
            assertThat(early.statusCode()).isEqualTo(409);
            JsonNode error = readJson(early.body());
            assertThat(error.path("error").asText()).isEqualTo("conflict");
            assertThat(error.path("detail").path("message").asText()).contains("3 of 10");
        } finally {
            release.countDown();
        }
        JsonNode done = awaitState(segmentId, job.id(), "done");
        assertThat(done.path("rows").asLong()).isEqualTo(10);
        HttpResponse<String> file = adminGet("/api/v1/segments/" + segmentId + "/exports/" + job.id() + "/file");
        assertThat(file.statusCode()).isEqualTo(200);
        List<Map<String, String>> rows = parse(file.body());
        assertThat(rows).hasSize(10).extracting(r -> r.get("traits.n"))
                .containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(rows).extracting(r -> Long.parseLong(r.get("profile_id"))).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void theExecutorIsBoundedAndAFullQueueIsRefusedWith503() throws Exception {
        people(2);
        long segmentId = segment("Export queue");
        SegmentStore.Segment segment = store.get(segmentId).orElseThrow();
        CountDownLatch release = new CountDownLatch(1);
        exports.progressEvery = Duration.ZERO;
        exports.pages = (job, rows) -> release.await(30, TimeUnit.SECONDS);
        List<Long> jobs = new ArrayList<>();
        try {
            // Page size 1: the first job stops after its first page and holds the only thread.
            jobs.add(exports.start(segment, 1).id());
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    readJson(adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobs.get(0)).body()).path("rows").asLong() == 1);
            HttpResponse<String> refused = null;
            for (int i = 0; i < 20 && refused == null; i++) {
                HttpResponse<String> r = call("POST", "/api/v1/segments/" + segmentId + "/exports", null);
                if (r.statusCode() == 202) {
                    jobs.add(readJson(r.body()).path("id").asLong());
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("a refusal once the queue (8 by default) is full").isNotNull();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(readJson(refused.body()).path("error").asText()).isEqualTo("busy");
            assertThat(jobs).hasSize(1 + 8);
        } finally {
            release.countDown();
        }
        for (long id : jobs) {
            assertThat(awaitState(segmentId, id, "done").path("rows").asLong()).isEqualTo(2);
        }
        // The refused job left no record.
        assertThat(readJson(adminGet("/api/v1/segments/" + segmentId + "/exports").body()).size()).isEqualTo(jobs.size());
    }

    @Test
    void aPersonErasedAfterTheExportIsLeftOutOfTheFileButAMergedOneStays() {
        List<String> users = people(3);
        // A visitor known only by a device id; created after the three, so a merge keeps their profile, not the visitor's.
        String device = "device-" + run;
        store(List.of(Event.identify().anonymousId(device).messageId(device + "-id").timestamp(Instant.now().minusSeconds(50))
                .trait("run", run).build()));
        long segmentId = segment("Export erasure");
        long jobId = readJson(call("POST", "/api/v1/segments/" + segmentId + "/exports", null).body()).path("id").asLong();
        awaitState(segmentId, jobId, "done");
        assertThat(parse(adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobId + "/file").body())).hasSize(4);

        assertThat(call("DELETE", "/api/v1/profiles/user_id/" + users.get(1), null).statusCode()).isEqualTo(204);
        // The visitor logs in as the first person: the visitor's profile merges into theirs (the person still exists).
        store(List.of(Event.track("logged_in").userId(users.get(0)).anonymousId(device).messageId(device + "-login")
                .timestamp(Instant.now().minusSeconds(40)).build()));
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT profile_id) FROM identities WHERE value IN (?, ?)", Long.class,
                users.get(0), device)).isEqualTo(1);

        List<Map<String, String>> rows = parse(adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobId + "/file").body());
        assertThat(rows).extracting(r -> r.get("user_id") + "|" + r.get("anonymous_id"))
                .containsExactlyInAnyOrder(users.get(0) + "|", users.get(2) + "|", "|" + device);
    }

    @Test
    void deletingTheSegmentWhileItsExportRunsStopsTheJobAndLeavesNoFile() throws Exception {
        people(4);
        long segmentId = segment("Export deleted");
        CountDownLatch release = new CountDownLatch(1);
        exports.progressEvery = Duration.ZERO;
        exports.pages = (job, rows) -> release.await(30, TimeUnit.SECONDS);
        Path dir = data.root().resolve("exports");
        SegmentExports.Job job = exports.start(store.get(segmentId).orElseThrow(), 1);
        String prefix = "segment-" + segmentId + "-export-" + job.id();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(dir.resolve(prefix + ".csv.part")));
            assertThat(call("DELETE", "/api/v1/segments/" + segmentId, null).statusCode()).isEqualTo(204);
        } finally {
            release.countDown();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(prefix));
            }
        });
        assertThat(adminGet("/api/v1/segments/" + segmentId + "/exports/" + job.id()).statusCode()).isEqualTo(404);
    }

    @Test
    void unknownSegmentsAndJobsAre404AndBadIdsAre400NamingTheField() {
        long segmentId = segment("Export refusals");
        HttpResponse<String> noSegment = call("POST", "/api/v1/segments/987654321/exports", null);
        assertThat(noSegment.statusCode()).isEqualTo(404);
        assertThat(readJson(noSegment.body()).path("error").asText()).isEqualTo("not_found");

        HttpResponse<String> badSegment = call("POST", "/api/v1/segments/abc/exports", null);
        assertThat(badSegment.statusCode()).isEqualTo(400);
        assertThat(readJson(badSegment.body()).path("detail").path("field").asText()).isEqualTo("id");

        HttpResponse<String> badJob = adminGet("/api/v1/segments/" + segmentId + "/exports/x1");
        assertThat(badJob.statusCode()).isEqualTo(400);
        assertThat(readJson(badJob.body()).path("error").asText()).isEqualTo("bad_request");
        assertThat(readJson(badJob.body()).path("detail").path("field").asText()).isEqualTo("jobId");
        assertThat(adminGet("/api/v1/segments/" + segmentId + "/exports/-4/file").statusCode()).isEqualTo(400);

        assertThat(adminGet("/api/v1/segments/" + segmentId + "/exports/987654321").statusCode()).isEqualTo(404);
        assertThat(adminGet("/api/v1/segments/" + segmentId + "/exports/987654321/file").statusCode()).isEqualTo(404);
        // A job of another segment is not found under this one.
        long other = segment("Export other");
        long jobId = readJson(call("POST", "/api/v1/segments/" + other + "/exports", null).body()).path("id").asLong();
        assertThat(adminGet("/api/v1/segments/" + segmentId + "/exports/" + jobId).statusCode()).isEqualTo(404);

        // The segment resources themselves answer a bad id the same way.
        HttpResponse<String> badDefinition = adminGet("/api/v1/segments/abc");
        assertThat(badDefinition.statusCode()).isEqualTo(400);
        assertThat(readJson(badDefinition.body()).path("detail").path("field").asText()).isEqualTo("id");

        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/segments/" + segmentId + "/exports")).POST(HttpRequest.BodyPublishers.noBody())
                .build()).statusCode()).isEqualTo(401);
    }

    /** An RFC 4180 reader written for this test (independent of the hub's writer): header names → values, per record. */
    static List<Map<String, String>> parse(String csv) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertThat(quoted).as("unterminated quote").isFalse();
        assertThat(field.length() == 0 && record.isEmpty()).as("the last record ends with CRLF").isTrue();
        List<String> header = records.get(0);
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : records.subList(1, records.size())) {
            assertThat(r).as("fields of %s", r).hasSameSizeAs(header);
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), r.get(i));
            }
            out.add(m);
        }
        return out;
    }

}
