package io.atrium.plugins.erp;

import static io.atrium.plugins.erp.Maps.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** CSV files: header row, quoting, delimiters, encodings, and the row and line numbers of what is wrong. */
class CsvRecordsTest {

    static CsvRecords csv(char delimiter) {
        return new CsvRecords("files", StandardCharsets.UTF_8, delimiter);
    }

    @Test
    void theHeaderNamesTheFieldsAndEmptyValuesAreAbsent() throws Exception {
        Collected c = Collected.read(csv(','), "orders.csv", """
                order_id, customer_id ,email,total
                1001,C-7,ann@example.com,42.50
                1002,C-8,,"1,000.00"
                """);
        assertThat(c.records).hasSize(2);
        assertThat(c.records.get(0).fields()).isEqualTo(of("order_id", "1001", "customer_id", "C-7", "email", "ann@example.com",
                "total", "42.50"));
        assertThat(c.records.get(1).fields()).isEqualTo(of("order_id", "1002", "customer_id", "C-8", "email", null,
                "total", "1,000.00"));
        assertThat(c.records.get(1).position().describe()).isEqualTo("orders.csv row 2 (line 3)");
        assertThat(c.badRecords).isEmpty();
        assertThat(c.fileProblems).isEmpty();
    }

    @Test
    void rowNumbersCountDataRowsAndLinesCountTheFilesLinesWithBlankAndMultiLineOnes() throws Exception {
        Collected c = Collected.read(csv(';'), "orders.csv", "id;note\r\n1;\"two\r\nlines\"\r\n\r\n2;x\r\n3\r\n4;y\r\n");
        assertThat(c.records).extracting(r -> r.position().describe())
                .containsExactly("orders.csv row 1 (line 2)", "orders.csv row 2 (line 5)", "orders.csv row 4 (line 7)");
        assertThat(c.records.get(0).get("note")).isEqualTo("two\r\nlines");
        assertThat(c.badRecords).containsExactly(
                "orders.csv row 3 (line 6): has 1 values but the header has 2 (check the delimiter ';' and the quotes)");
    }

    @Test
    void aByteOrderMarkAndAnotherEncodingAreRead() throws Exception {
        Collected utf8 = Collected.read(csv(','), "c.csv", "\uFEFFname,city\nОлена,Київ\n");
        assertThat(utf8.records.get(0).fields()).isEqualTo(of("name", "Олена", "city", "Київ"));
        Charset cp1251 = Charset.forName("windows-1251");
        Collected legacy = Collected.read(new CsvRecords("files", cp1251, '\t'), "c.csv", "name\tcity\nОлена\tКиїв\n", cp1251);
        assertThat(legacy.records.get(0).fields()).isEqualTo(of("name", "Олена", "city", "Київ"));
    }

    @Test
    void aQuotingErrorEndsTheFileAfterTheGoodRows() throws Exception {
        Collected c = Collected.read(csv(','), "orders.csv", "id,note\n1,ok\n2,\"broken\"x\n3,never\n");
        assertThat(c.records).hasSize(1);
        assertThat(c.fileProblems).singleElement().asString()
                .startsWith("orders.csv line 3: CSV syntax error (").endsWith("); the rest of the file was not read");
    }

    @Test
    void anEmptyFileOrABadHeaderIsAProblemOfTheFile() throws Exception {
        assertThat(Collected.read(csv(','), "e.csv", "\n\n").fileProblems).containsExactly(
                "e.csv line 1: the file is empty: a CSV file needs a header row naming its columns");
        assertThat(Collected.read(csv(','), "d.csv", "id,id\n1,2\n").fileProblems).containsExactly(
                "d.csv line 1: field 'id': header: the column name appears twice; the file was not read");
        assertThat(Collected.read(csv(','), "n.csv", "id,,x\n1,2,3\n").fileProblems).containsExactly(
                "n.csv line 1: header: column 2 has no name; the file was not read");
    }
}
