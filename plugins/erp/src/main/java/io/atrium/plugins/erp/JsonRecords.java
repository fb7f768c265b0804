package io.atrium.plugins.erp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * JSON records: a file holding an array of objects, or one or more objects one after the other
 * ({@code .json}); or one object per line ({@code .jsonl}, {@code .ndjson}), where a bad line is
 * a problem of its own and the next line is read. Nested objects become dotted field names
 * ({@code {"customer": {"email": ...}}} gives {@code customer.email}); arrays stay lists; numbers
 * keep their exact value.
 */
final class JsonRecords implements RecordReader {

    /** For whole documents (a line, a body): trailing text after the value is an error. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    /** For values read one by one from a stream. */
    private static final ObjectMapper STREAMING = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final String source;
    private final Charset charset;
    private final boolean lines;

    JsonRecords(String source, Charset charset, boolean lines) {
        this.source = source;
        this.charset = charset;
        this.lines = lines;
    }

    @Override
    public void read(InputStream in, String fileName, Sink sink) throws IOException {
        Reader reader = new BufferedReader(new InputStreamReader(in, charset));
        if (lines) {
            readLines(new BufferedReader(reader), fileName, sink);
        } else {
            readDocument(reader, fileName, sink);
        }
    }

    private void readLines(BufferedReader reader, String fileName, Sink sink) throws IOException {
        long line = 0;
        for (String text; (text = reader.readLine()) != null; ) {
            line++;
            if (line == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            if (text.isBlank()) {
                continue;
            }
            Position pos = Position.fileLine(source, fileName, line);
            JsonNode node;
            try {
                node = MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                sink.badRecord(new RecordProblem(pos, (String) null, "not JSON (" + e.getOriginalMessage() + ")"));
                continue;
            }
            if (!node.isObject()) {
                sink.badRecord(new RecordProblem(pos, (String) null, "is " + kind(node) + ", not a JSON object"));
                continue;
            }
            sink.record(new Record(pos, flatten(node)));
        }
    }

    private void readDocument(Reader reader, String fileName, Sink sink) throws IOException {
        long n = 0;
        try (JsonParser p = STREAMING.getFactory().createParser(reader)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, 1), (String) null,
                        "the file is empty: expected a JSON array of objects or one object per line"));
                return;
            }
            if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new JsonParseException(p, "the array is not closed with ]");
                    }
                    n++;
                    long line = p.currentTokenLocation().getLineNr();
                    JsonNode node = STREAMING.readTree(p);
                    Position pos = Position.fileRow(source, fileName, n, line);
                    if (!node.isObject()) {
                        sink.badRecord(new RecordProblem(pos, (String) null, "is " + kind(node) + ", not a JSON object"));
                    } else {
                        sink.record(new Record(pos, flatten(node)));
                    }
                }
                if (p.nextToken() != null) {
                    throw new JsonParseException(p, "there is more after the array's closing ]");
                }
                return;
            }
            if (t != JsonToken.START_OBJECT) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, p.currentTokenLocation().getLineNr()),
                        (String) null, "expected a JSON array of objects or one object after the other, not "
                        + t.asString() + "; the file was not read"));
                return;
            }
            do {
                if (t != JsonToken.START_OBJECT) {
                    throw new JsonParseException(p, "expected another object");
                }
                n++;
                long line = p.currentTokenLocation().getLineNr();
                JsonNode node = STREAMING.readTree(p);
                sink.record(new Record(Position.fileRow(source, fileName, n, line), flatten(node)));
            } while ((t = p.nextToken()) != null);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, line), (String) null,
                    "JSON syntax error (" + e.getOriginalMessage() + "); the rest of the file was not read"));
        }
    }

    /** The records of a JSON body: one object or an array of objects. Non-objects are problems. */
    static void fromBody(JsonNode root, String source, Sink sink) {
        if (root.isObject()) {
            sink.record(new Record(Position.index(source, 0), flatten(root)));
            return;
        }
        int i = 0;
        for (JsonNode node : root) {
            Position pos = Position.index(source, i++);
            if (node.isObject()) {
                sink.record(new Record(pos, flatten(node)));
            } else {
                sink.badRecord(new RecordProblem(pos, (String) null, "is " + kind(node) + ", not a JSON object"));
            }
        }
    }

    static Map<String, Object> flatten(JsonNode object) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", object, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode object, Map<String, Object> out) {
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            if (e.getValue().isObject() && !e.getValue().isEmpty()) {
                flatten(name + ".", e.getValue(), out);
            } else {
                out.put(name, value(e.getValue()));
            }
        }
    }

    static Object value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.asLong() : new java.math.BigDecimal(v.bigIntegerValue());
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            v.forEach(x -> list.add(value(x)));
            return list;
        }
        if (v.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            v.fields().forEachRemaining(e -> map.put(e.getKey(), value(e.getValue())));
            return map;
        }
        return v.asText();
    }

    static String kind(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        return "an object";
    }
}
