package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class SegmentCsvTest {

    @Test
    void aFieldIsQuotedOnlyWhenItMustBeAndItsQuotesAreDoubled() {
        assertThat(SegmentCsv.field("plain")).isEqualTo("plain");
        assertThat(SegmentCsv.field("+380671234567")).isEqualTo("+380671234567");
        assertThat(SegmentCsv.field("")).isEmpty();
        assertThat(SegmentCsv.field(null)).isEmpty();
        assertThat(SegmentCsv.field("Kyiv, Ukraine")).isEqualTo("\"Kyiv, Ukraine\"");
        assertThat(SegmentCsv.field("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(SegmentCsv.field("a\nb")).isEqualTo("\"a\nb\"");
        assertThat(SegmentCsv.field("a\rb")).isEqualTo("\"a\rb\"");
        assertThat(SegmentCsv.field(" padded")).isEqualTo("\" padded\"");
        assertThat(SegmentCsv.field("padded\t")).isEqualTo("\"padded\t\"");
        assertThat(SegmentCsv.field("Київ")).isEqualTo("Київ");
    }

    @Test
    void traitValuesAreTextAsItIsAndEverythingElseAsJson() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertThat(SegmentCsv.cell(m.readTree("\"Kyiv\""))).isEqualTo("Kyiv");
        assertThat(SegmentCsv.cell(m.readTree("12.5"))).isEqualTo("12.5");
        assertThat(SegmentCsv.cell(m.readTree("false"))).isEqualTo("false");
        assertThat(SegmentCsv.cell(m.readTree("{\"a\":[1,\"x\"]}"))).isEqualTo("{\"a\":[1,\"x\"]}");
        assertThat(SegmentCsv.cell(m.readTree("null"))).isEmpty();
        assertThat(SegmentCsv.cell(null)).isEmpty();
    }

    @Test
    void recordsAreReadBackWholeWithLineBreaksInsideQuotedFields() throws Exception {
        StringWriter out = new StringWriter();
        SegmentCsv.record(out, List.of("profile_id", "note"));
        SegmentCsv.record(out, List.of("17", "two\r\nlines, and \"quotes\""));
        SegmentCsv.record(out, List.of("18", ""));
        SegmentCsv.record(out, List.of("19", "\"\n\""));
        SegmentCsv.Records records = new SegmentCsv.Records(new StringReader(out.toString()));
        List<String> read = new ArrayList<>();
        for (String r = records.next(); r != null; r = records.next()) {
            read.add(r);
        }
        assertThat(read).containsExactly("profile_id,note\r\n", "17,\"two\r\nlines, and \"\"quotes\"\"\"\r\n", "18,\r\n",
                "19,\"\"\"\n\"\"\"\r\n");
        assertThat(String.join("", read)).isEqualTo(out.toString());
        assertThat(read.stream().map(SegmentCsv.Records::first)).containsExactly("profile_id", "17", "18", "19");
    }
}
