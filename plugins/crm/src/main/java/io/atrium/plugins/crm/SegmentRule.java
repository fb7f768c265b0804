package io.atrium.plugins.crm;

import java.util.List;
import java.util.regex.Pattern;

import io.atrium.plugin.api.ConfigProblem;

/**
 * One entry of {@code segment-push}: what a segment's entries and exits do in the CRM.
 *
 * <ul>
 * <li>{@code 12=list:345}: an entry adds the contact to HubSpot list 345 (a MANUAL or SNAPSHOT list), an exit removes it;</li>
 * <li>{@code 17=property:atrium_vip} or {@code 17=property:tier=gold}: an entry sets the contact
 *     property (to {@code true}, or to the value given), an exit clears it;</li>
 * <li>generic mode: {@code 12=<anything>}: the text is sent along as {@code target}.</li>
 * </ul>
 */
record SegmentRule(long segmentId, Kind kind, String listId, String property, String value, String target) {

    enum Kind { LIST, PROPERTY, TARGET }

    /** HubSpot property names: lower-case letters, digits and underscores, starting with a letter. */
    static final Pattern PROPERTY_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /** The value a property rule without {@code =value} sets on entry. */
    static final String DEFAULT_VALUE = "true";

    /**
     * Reads one entry.
     *
     * @param hubspot  hubspot mode (list: and property: targets) or generic (any target)
     * @param problems where a problem is added, naming the key and the entry
     * @return the rule, or null when the entry has a problem
     */
    static SegmentRule parse(String key, String entry, boolean hubspot, List<ConfigProblem> problems) {
        String e = entry.strip();
        int eq = e.indexOf('=');
        String expected = hubspot
                ? "<segment id>=list:<list id> or <segment id>=property:<name>[=<value>]"
                : "<segment id>=<target>";
        if (eq <= 0 || eq == e.length() - 1) {
            problems.add(new ConfigProblem(key, "key '" + key + "' expects entries " + expected + " but got '" + e + "'"));
            return null;
        }
        long segmentId;
        try {
            segmentId = Long.parseLong(e.substring(0, eq).strip());
        } catch (NumberFormatException ex) {
            segmentId = 0;
        }
        if (segmentId <= 0) {
            problems.add(new ConfigProblem(key, "key '" + key + "': '" + e + "' must start with a segment id (a positive integer, as in "
                    + "GET /api/v1/segments) before '='"));
            return null;
        }
        String target = e.substring(eq + 1).strip();
        if (!hubspot) {
            return new SegmentRule(segmentId, Kind.TARGET, null, null, null, target);
        }
        if (target.startsWith("list:")) {
            String listId = target.substring("list:".length()).strip();
            if (!listId.matches("[0-9]+")) {
                problems.add(new ConfigProblem(key, "key '" + key + "': '" + e + "' names list '" + listId + "', which is not a HubSpot list id"
                        + " (digits, the ILS list id in the list's URL)"));
                return null;
            }
            return new SegmentRule(segmentId, Kind.LIST, listId, null, null, target);
        }
        if (target.startsWith("property:")) {
            String rest = target.substring("property:".length()).strip();
            int v = rest.indexOf('=');
            String name = (v < 0 ? rest : rest.substring(0, v)).strip();
            String value = v < 0 ? DEFAULT_VALUE : rest.substring(v + 1).strip();
            if (!PROPERTY_NAME.matcher(name).matches()) {
                problems.add(new ConfigProblem(key, "key '" + key + "': '" + e + "' names property '" + name + "', which is not a HubSpot "
                        + "property's internal name (lower-case letters, digits and _)"));
                return null;
            }
            if (value.isEmpty()) {
                problems.add(new ConfigProblem(key, "key '" + key + "': '" + e + "' sets an empty value; leave out '=' to set 'true'"));
                return null;
            }
            return new SegmentRule(segmentId, Kind.PROPERTY, null, name, value, target);
        }
        problems.add(new ConfigProblem(key, "key '" + key + "' expects entries " + expected + " but got '" + e + "'"));
        return null;
    }
}
