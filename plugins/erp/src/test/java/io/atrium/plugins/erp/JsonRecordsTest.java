package io.atrium.plugins.erp;

import static io.atrium.plugins.erp.Maps.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** JSON files: an array, objects one after the other, one object per line; nested objects; where problems are. */
class JsonRecordsTest {

    static JsonRecords json() {
        return new JsonRecords("files", StandardCharsets.UTF_8, false);
    }

    static JsonRecords lines() {
        return new JsonRecords("files", StandardCharsets.UTF_8, true);
    }

    @Test
    void anArrayOfObjectsWithNestedObjectsAndExactNumbers() throws Exception {
        Collected c = Collected.read(json(), "orders.json", """
                [
                  {"order_id": 1001, "total": 42.50, "paid": true,
                   "customer": {"id": "C-7", "email": "ann@example.com"}, "tags": ["a", "b"], "note": null},
                  {"order_id": 12345678901234567890, "total": 0.1}
                ]
                """);
        assertThat(c.records).hasSize(2);
        assertThat(c.records.get(0).fields()).isEqualTo(of("order_id", 1001L, "total", new BigDecimal("42.50"), "paid", true,
                "customer.id", "C-7", "customer.email", "ann@example.com", "tags", List.of("a", "b"), "note", null));
        assertThat(c.records.get(0).position().describe()).isEqualTo("orders.json record 1 (line 2)");
        assertThat(c.records.get(1).get("order_id")).isEqualTo(new BigDecimal("12345678901234567890"));
        assertThat(c.records.get(1).position().describe()).isEqualTo("orders.json record 2 (line 4)");
    }

    @Test
    void anItemThatIsNotAnObjectIsABadRecordAndTheOthersAreRead() throws Exception {
        Collected c = Collected.read(json(), "o.json", "[{\"a\":1},\n\"x\",\n{\"a\":2}]");
        assertThat(c.records).hasSize(2);
        assertThat(c.badRecords).containsExactly("o.json record 2 (line 2): is a string, not a JSON object");
    }

    @Test
    void objectsOneAfterTheOtherOrASinglePrettyPrintedObject() throws Exception {
        assertThat(Collected.read(json(), "o.json", "{\"a\":1}\n{\"a\":2}\n").records).hasSize(2);
        Collected one = Collected.read(json(), "o.json", "{\n  \"a\": 1,\n  \"b\": {\"c\": 2}\n}\n");
        assertThat(one.records).singleElement().satisfies(r -> assertThat(r.fields()).isEqualTo(of("a", 1L, "b.c", 2L)));
    }

    @Test
    void aSyntaxErrorEndsTheFileWithItsLine() throws Exception {
        Collected c = Collected.read(json(), "o.json", "[\n{\"a\":1},\n{\"a\":,\n{\"a\":3}]");
        assertThat(c.records).hasSize(1);
        assertThat(c.fileProblems).singleElement().asString().startsWith("o.json line 3: JSON syntax error (")
                .endsWith("the rest of the file was not read");
        assertThat(Collected.read(json(), "o.json", "[{\"a\":1}").fileProblems).singleElement().asString()
                .contains("JSON syntax error");
        assertThat(Collected.read(json(), "o.json", "  ").fileProblems).singleElement().asString().contains("the file is empty");
        assertThat(Collected.read(json(), "o.json", "42").fileProblems).singleElement().asString()
                .contains("expected a JSON array of objects");
    }

    @Test
    void jsonLinesGoOnAfterABadLine() throws Exception {
        Collected c = Collected.read(lines(), "o.jsonl", "{\"a\":1}\n\n{\"a\":\n[1]\n{\"a\":4}\n");
        assertThat(c.records).extracting(r -> r.position().describe()).containsExactly("o.jsonl line 1", "o.jsonl line 5");
        assertThat(c.badRecords).hasSize(2);
        assertThat(c.badRecords.get(0)).startsWith("o.jsonl line 3: not JSON (");
        assertThat(c.badRecords.get(1)).isEqualTo("o.jsonl line 4: is an array, not a JSON object");
    }
}
