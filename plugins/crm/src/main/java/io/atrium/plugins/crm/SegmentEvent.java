package io.atrium.plugins.crm;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry or exit as {@code atrium:segment-events} delivers it: a Map {@code {type: entered|exited,
 * segmentId, segmentName, profileId, at, identities: {type: value}}} (or the same as JSON text).
 */
record SegmentEvent(boolean entered, long segmentId, String segmentName, String profileId, String at,
                    Map<String, String> identities) {

    String crmId() {
        return blankToNull(identities.get(Identities.CRM_ID));
    }

    String email() {
        return Identities.email(identities.get(Identities.EMAIL));
    }

    String type() {
        return entered ? "entered" : "exited";
    }

    /**
     * Reads the body of a segment-events exchange.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    @SuppressWarnings("unchecked")
    static SegmentEvent from(Object body) {
        Map<String, Object> m;
        if (body instanceof Map<?, ?> map) {
            m = (Map<String, Object>) map;
        } else if (body instanceof String || body instanceof byte[]) {
            try {
                m = body instanceof String s ? Json.MAPPER.readValue(s, Map.class) : Json.MAPPER.readValue((byte[]) body, Map.class);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("a segment event must be a Map or a JSON object: " + e.getMessage());
            }
        } else {
            throw new IllegalArgumentException("a segment event must be a Map or a JSON object, not "
                    + (body == null ? "null" : body.getClass().getSimpleName()));
        }
        Object type = m.get("type");
        if (!"entered".equals(type) && !"exited".equals(type)) {
            throw new IllegalArgumentException("segment event field 'type' must be entered or exited, not " + type);
        }
        Object seg = m.get("segmentId");
        long segmentId;
        if (seg instanceof Number n) {
            segmentId = n.longValue();
        } else {
            try {
                segmentId = Long.parseLong(String.valueOf(seg));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("segment event field 'segmentId' must be a number, not " + seg);
            }
        }
        Map<String, String> identities = new LinkedHashMap<>();
        if (m.get("identities") instanceof Map<?, ?> ids) {
            ids.forEach((k, v) -> {
                if (k != null && v != null) {
                    identities.put(k.toString(), v.toString());
                }
            });
        }
        return new SegmentEvent("entered".equals(type), segmentId, m.get("segmentName") == null ? null
                : m.get("segmentName").toString(), m.get("profileId") == null ? null : m.get("profileId").toString(),
                m.get("at") == null ? null : m.get("at").toString(), Map.copyOf(identities));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
