package io.atrium.server.segment;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a (validated) segment rule looks at: the trait names, event names (of the event and of its
 * {@code followedBy} / {@code notFollowedBy}), identity types and whether consents. Apart from the
 * clock, a rule's answer for a profile can only change when one of these changes in the profile (or
 * the profile is new or merged into), so the segment stage re-checks a changed profile only against
 * the segments whose dependencies the change touches. A rule that refers to another segment looks at
 * what that segment's rule looks at; a reference that cannot be followed makes it depend on everything.
 */
record RuleDependencies(boolean everything, Set<String> traits, Set<String> events, Set<String> identities, boolean consents) {

    private static final int MAX_SEGMENT_DEPTH = 12;

    /** @param segmentRules finds the rule of a segment reference (id or name), or null when there is none */
    static RuleDependencies of(JsonNode rule, Function<JsonNode, JsonNode> segmentRules) {
        Collector c = new Collector(segmentRules);
        c.node(rule, 0);
        return new RuleDependencies(c.everything, Set.copyOf(c.traits), Set.copyOf(c.events), Set.copyOf(c.identities), c.consents);
    }

    private static final class Collector {
        final Function<JsonNode, JsonNode> segmentRules;
        final Set<String> traits = new TreeSet<>();
        final Set<String> events = new TreeSet<>();
        final Set<String> identities = new TreeSet<>();
        boolean consents;
        boolean everything;

        Collector(Function<JsonNode, JsonNode> segmentRules) {
            this.segmentRules = segmentRules;
        }

        void node(JsonNode n, int segmentDepth) {
            if (n == null || !n.isObject()) {
                everything = true;
                return;
            }
            if (n.has("all") || n.has("any")) {
                for (JsonNode item : n.get(n.has("all") ? "all" : "any")) {
                    node(item, segmentDepth);
                }
            } else if (n.has("not")) {
                node(n.get("not"), segmentDepth);
            } else if (n.has("trait")) {
                traits.add(n.get("trait").asText());
            } else if (n.has("identity")) {
                identities.add(n.get("identity").asText());
            } else if (n.has("consent")) {
                consents = true;
            } else if (n.has("event")) {
                events.add(n.get("event").asText());
                for (String rel : new String[] {"followedBy", "notFollowedBy"}) {
                    JsonNode r = n.get(rel);
                    if (r != null) {
                        events.add(r.path("event").asText());
                    }
                }
            } else if (n.has("segment")) {
                JsonNode referenced = segmentDepth >= MAX_SEGMENT_DEPTH ? null : segmentRules.apply(n.get("segment"));
                if (segmentDepth >= MAX_SEGMENT_DEPTH) {
                    everything = true;
                } else if (referenced != null) {
                    node(referenced, segmentDepth + 1);
                }
                // a deleted segment is FALSE for everyone: it depends on nothing
            } else {
                everything = true;
            }
        }
    }
}
