package io.atrium.server.support;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed JSON tree as plain Java values, in one walk: objects become {@link LinkedHashMap}s in field
 * order, arrays {@link ArrayList}s, numbers the {@link Number} the parser chose (Integer, Long,
 * BigInteger, Double, BigDecimal), and text, booleans and null themselves — the values
 * {@code ObjectMapper.convertValue(node, Map.class)} gives, without writing the tree to tokens and
 * reading them back.
 */
public final class JsonTrees {

    private JsonTrees() {
    }

    /** The object's fields as a map; null for a null or missing node. */
    public static Map<String, Object> toMap(JsonNode object) {
        if (object == null || object.isNull() || object.isMissingNode()) {
            return null;
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + object.getNodeType());
        }
        Map<String, Object> out = new LinkedHashMap<>(Math.max(4, object.size() * 4 / 3 + 1));
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            out.put(f.getKey(), toValue(f.getValue()));
        }
        return out;
    }

    /** One node as a plain value. */
    public static Object toValue(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT:
                return toMap(node);
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode e : node) {
                    list.add(toValue(e));
                }
                return list;
            }
            case STRING:
                return node.textValue();
            case NUMBER:
                return node.numberValue();
            case BOOLEAN:
                return node.booleanValue();
            case NULL:
            case MISSING:
                return null;
            case BINARY:
                return node.asText(); // base64, as Jackson writes binary
            default:
                return node.isPojo() ? ((com.fasterxml.jackson.databind.node.POJONode) node).getPojo() : node.asText();
        }
    }
}
