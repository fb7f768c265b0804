package io.atrium.plugins.sms;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Finds the provider's message id in a gateway's answer: a JSON pointer ({@code /sid},
 * {@code /messages/0/id}) when the pattern starts with '/', else a regular expression whose first
 * group (or whole match, without groups) is the id.
 */
final class ProviderId {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonPointer pointer;
    private final Pattern regex;

    private ProviderId(JsonPointer pointer, Pattern regex) {
        this.pointer = pointer;
        this.regex = regex;
    }

    /** @throws IllegalArgumentException saying what is wrong (the caller adds the key) */
    static ProviderId parse(String pattern) {
        if (pattern.startsWith("/")) {
            try {
                return new ProviderId(JsonPointer.compile(pattern), null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("is not a valid JSON pointer: " + e.getMessage());
            }
        }
        try {
            return new ProviderId(null, Pattern.compile(pattern));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("is not a valid regular expression: " + e.getDescription()
                    + " near index " + e.getIndex());
        }
    }

    /** The id in {@code body}, or empty when it is not there. */
    Optional<String> find(String body) {
        if (body == null || body.isEmpty()) {
            return Optional.empty();
        }
        if (pointer != null) {
            try {
                JsonNode node = JSON.readTree(body).at(pointer);
                // asText keeps a 64-bit integer exact: never read ids as doubles.
                return node.isValueNode() && !node.isNull() ? Optional.of(node.asText()).filter(s -> !s.isEmpty())
                        : Optional.empty();
            } catch (java.io.IOException e) {
                return Optional.empty();
            }
        }
        Matcher m = regex.matcher(body);
        if (!m.find()) {
            return Optional.empty();
        }
        String id = m.groupCount() >= 1 ? m.group(1) : m.group();
        return Optional.ofNullable(id).map(String::strip).filter(s -> !s.isEmpty());
    }

    @Override
    public String toString() {
        return pointer != null ? "JSON pointer " + pointer : "regex " + regex.pattern();
    }
}
