package io.atrium.plugins.erp;

import static io.atrium.plugins.erp.Maps.of;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.util.List;

import org.junit.jupiter.api.Test;

/** XML files: repeated elements, attributes, nesting, repeats, encodings, syntax errors, no XXE. */
class XmlRecordsTest {

    @Test
    void theRootsChildrenAreTheRecordsWithAttributesAndNestedElementsAsFields() throws Exception {
        Collected c = Collected.read(new XmlRecords("files", null), "orders.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <orders>
                  <order id="1001">
                    <status>new</status>
                    <total currency="EUR">42.50</total>
                    <customer><id>C-7</id><email> ann@example.com </email></customer>
                    <line>A</line><line>B</line>
                    <note/>
                  </order>
                  <order id="1002"><status>ready</status></order>
                </orders>
                """);
        assertThat(c.records).hasSize(2);
        assertThat(c.records.get(0).fields()).isEqualTo(of("id", "1001", "status", "new", "total.currency", "EUR",
                "total.value", "42.50", "customer.id", "C-7", "customer.email", "ann@example.com", "line", List.of("A", "B"),
                "note", null));
        assertThat(c.records.get(0).position().describe()).isEqualTo("orders.xml record 1 (line 3)");
        assertThat(c.records.get(1).fields()).isEqualTo(of("id", "1002", "status", "ready"));
        assertThat(c.records.get(1).position().describe()).isEqualTo("orders.xml record 2 (line 10)");
    }

    @Test
    void aNamedRecordElementIsFoundAtAnyDepth() throws Exception {
        Collected c = Collected.read(new XmlRecords("files", "Document"), "1c.xml", """
                <Export><Header><Date>2026-03-01</Date></Header>
                  <Documents><Document><Number>1</Number></Document><Document><Number>2</Number></Document></Documents>
                </Export>
                """);
        assertThat(c.records).extracting(r -> r.get("Number")).containsExactly("1", "2");
        assertThat(Collected.read(new XmlRecords("files", "order"), "x.xml", "<a><b/></a>").fileProblems)
                .containsExactly("x.xml line 1: has no <order> elements (files.xml-record-element)");
    }

    @Test
    void theDeclaredEncodingIsUsed() throws Exception {
        Charset cp1251 = Charset.forName("windows-1251");
        Collected c = Collected.read(new XmlRecords("files", null), "c.xml",
                "<?xml version=\"1.0\" encoding=\"windows-1251\"?><r><c><name>Олена</name></c></r>", cp1251);
        assertThat(c.records.get(0).get("name")).isEqualTo("Олена");
    }

    @Test
    void aSyntaxErrorEndsTheFileAfterTheRecordsBeforeIt() throws Exception {
        Collected c = Collected.read(new XmlRecords("files", null), "o.xml", "<r>\n<o><a>1</a></o>\n<o><a>2</b></o>\n</r>");
        assertThat(c.records).hasSize(1);
        assertThat(c.fileProblems).singleElement().asString().startsWith("o.xml line 3: XML syntax error (")
                .endsWith("the rest of the file was not read");
    }

    @Test
    void aDoctypeIsRefusedSoNoExternalEntityIsEverRead() throws Exception {
        Collected c = Collected.read(new XmlRecords("files", null), "x.xml", """
                <?xml version="1.0"?>
                <!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <r><o><a>&x;</a></o></r>
                """);
        assertThat(c.records).isEmpty();
        assertThat(c.fileProblems).singleElement().asString().contains("XML syntax error");
    }
}
