package io.atrium.plugins.viber;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JSON as Viber writes it. Viber's {@code message_token} is a 64-bit integer written as a bare JSON
 * number: it is read here as an exact integer and kept as text, never as a double (which would
 * round every token above 2^53).
 */
final class ViberJson {

    /** Floats are read as BigDecimal, so that not even a token written with an exponent is rounded. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ViberJson() {
    }

    /**
     * The decimal text of a token: a JSON integer of any size or a string as is, an integral
     * decimal without its fraction; null when the field is absent, null, or not an integer (a
     * double never reaches here: {@link #MAPPER} reads floats as BigDecimal).
     */
    static String tokenText(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            String t = node.textValue().strip();
            return t.isEmpty() ? null : t;
        }
        if (node.isIntegralNumber()) {
            return node.bigIntegerValue().toString();
        }
        if (node.isBigDecimal()) {
            try {
                BigInteger exact = node.decimalValue().toBigIntegerExact();
                return exact.toString();
            } catch (ArithmeticException notIntegral) {
                return null;
            }
        }
        return null;
    }

    /** A text field, or null when absent, null or blank. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String t = v.asText();
        return t.isBlank() ? null : t;
    }
}
