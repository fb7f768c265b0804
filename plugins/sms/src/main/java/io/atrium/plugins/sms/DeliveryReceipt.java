package io.atrium.plugins.sms;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of an SMPP delivery receipt (SMPP 3.4 appendix B), read leniently: field names in any
 * case, fields missing or in another order, dates in any form. Everything after {@code text:} is
 * the start of the original message and is never searched for fields.
 *
 * <pre>id:0123456789 sub:001 dlvrd:001 submit date:2511241530 done date:2511241531 stat:DELIVRD err:000 text:Hello</pre>
 *
 * @param id         the SMSC's message id, or null
 * @param stat       the final state (DELIVRD, UNDELIV, ...), upper case, or null
 * @param err        the network/SMSC error code as written, or null
 * @param submitDate as written (YYMMDDhhmm[ss]), or null
 * @param doneDate   as written, or null
 * @param text       the first characters of the message, or null
 */
record DeliveryReceipt(String id, String sub, String dlvrd, String submitDate, String doneDate, String stat, String err,
                       String text) {

    private static final Pattern TEXT = Pattern.compile("(?i)(?:^|\\s)text:");
    private static final Pattern FIELD = Pattern.compile("(?i)(id|sub|dlvrd|submit date|done date|stat|err):\\s*(\\S*)");

    /** The fields of {@code receipt}, or empty when it has neither an id nor a stat: then it is no receipt. */
    static Optional<DeliveryReceipt> parse(String receipt) {
        if (receipt == null) {
            return Optional.empty();
        }
        String head = receipt;
        String text = null;
        Matcher t = TEXT.matcher(receipt);
        if (t.find()) {
            head = receipt.substring(0, t.start());
            text = receipt.substring(t.end());
        }
        Map<String, String> fields = new HashMap<>();
        Matcher m = FIELD.matcher(head);
        while (m.find()) {
            String name = m.group(1).toLowerCase(Locale.ROOT).replace(' ', '_');
            String value = m.group(2);
            if (!value.isEmpty()) {
                fields.putIfAbsent(name, value);
            }
        }
        String id = fields.get("id");
        String stat = fields.get("stat");
        if (id == null && stat == null) {
            return Optional.empty();
        }
        return Optional.of(new DeliveryReceipt(id, fields.get("sub"), fields.get("dlvrd"), fields.get("submit_date"),
                fields.get("done_date"), stat == null ? null : stat.toUpperCase(Locale.ROOT), fields.get("err"), text));
    }
}
