package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class TemplateTest {

    static final Map<String, String> VALUES = Map.of("to", "+380501112233", "text", "Ціна: 5 € & \"знижка\"\n",
            "id", "m/1?");

    @Test
    void urlPlaceholdersArePercentEncodedSpacesAsPercent20() {
        Template t = Template.parse("http://k/send?to={to}&text={text}&id={id}", "http-url");
        assertThat(t.render(VALUES, Template.Escaping.URL)).isEqualTo("http://k/send?to=%2B380501112233"
                + "&text=%D0%A6%D1%96%D0%BD%D0%B0%3A%205%20%E2%82%AC%20%26%20%22%D0%B7%D0%BD%D0%B8%D0%B6%D0%BA%D0%B0%22%0A"
                + "&id=m%2F1%3F");
    }

    @Test
    void jsonPlaceholdersAreEscapedInsideTheTemplatesQuotesAndBracesStay() throws Exception {
        Template t = Template.parse("{\"to\":\"{to}\",\"text\":\"{text}\",\"meta\":{}}", "http-body");
        String json = t.render(VALUES, Template.Escaping.JSON);
        var node = new ObjectMapper().readTree(json);
        assertThat(node.get("text").asText()).isEqualTo(VALUES.get("text"));
        assertThat(node.get("to").asText()).isEqualTo("+380501112233");
        assertThat(node.get("meta").isObject()).isTrue();
    }

    @Test
    void xmlPlaceholdersAreEscaped() {
        Template t = Template.parse("<sms to=\"{to}\">{text}</sms>", "http-body");
        assertThat(t.render(Map.of("to", "a\"b", "text", "<b>&'"), Template.Escaping.XML))
                .isEqualTo("<sms to=\"a&quot;b\">&lt;b&gt;&amp;&apos;</sms>");
    }

    @Test
    void aPlaceholderWithoutAValueIsEmptyAndLiteralTextStays() {
        Template t = Template.parse("a{from}b", "http-url");
        assertThat(t.render(Map.of(), Template.Escaping.URL)).isEqualTo("ab");
        assertThat(t.placeholders()).containsExactly("from");
    }

    @Test
    void anUnknownPlaceholderNamesTheKey() {
        assertThatThrownBy(() -> Template.parse("x={To}", "http-body"))
                .hasMessageContaining("key 'http-body' uses unknown placeholder {To}");
    }

    @Test
    void theEscapingFollowsTheContentType() {
        assertThat(Template.Escaping.forContentType("application/json; charset=utf-8")).isEqualTo(Template.Escaping.JSON);
        assertThat(Template.Escaping.forContentType("application/x-www-form-urlencoded")).isEqualTo(Template.Escaping.URL);
        assertThat(Template.Escaping.forContentType("text/xml")).isEqualTo(Template.Escaping.XML);
        assertThat(Template.Escaping.forContentType("text/plain")).isEqualTo(Template.Escaping.NONE);
    }
}
