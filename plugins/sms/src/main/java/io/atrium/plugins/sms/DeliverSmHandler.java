package io.atrium.plugins.sms;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.StatusUpdate;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.smpp.SmppMessage;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the receiver session gets from the SMSC: delivery receipts (esm_class 0x04) become status
 * updates naming the provider's message id, other deliver_sm are replies and become inbound
 * messages. A failure to report throws, so camel-smpp answers the deliver_sm with an error and
 * the SMSC delivers it again.
 */
final class DeliverSmHandler implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(DeliverSmHandler.class);

    private static final int MESSAGE_TYPE_MASK = 0x3C;
    private static final int SMSC_RECEIPT = 0x04;
    private static final int INTERMEDIATE_NOTIFICATION = 0x20;

    private final ChannelFeedback feedback;

    DeliverSmHandler(ChannelFeedback feedback) {
        this.feedback = feedback;
    }

    @Override
    public void process(Exchange exchange) {
        if (!(exchange.getMessage() instanceof SmppMessage message) || !(message.getCommand() instanceof DeliverSm d)) {
            LOG.debug("sms: ignoring an SMPP {} on the receiver session", exchange.getMessage().getClass().getSimpleName());
            return;
        }
        handle(d);
    }

    void handle(DeliverSm d) {
        int type = d.getEsmClass() & MESSAGE_TYPE_MASK;
        if (type == SMSC_RECEIPT || type == INTERMEDIATE_NOTIFICATION) {
            receipt(d).ifPresent(feedback::status);
        } else if (type == 0) {
            reply(d).ifPresent(feedback::inbound);
        } else {
            LOG.debug("sms: ignoring a deliver_sm with esm_class 0x{} (an SME acknowledgement)",
                    Integer.toHexString(d.getEsmClass() & 0xFF));
        }
    }

    static Optional<StatusUpdate> receipt(DeliverSm d) {
        String text = SmppText.decode(d);
        Optional<DeliveryReceipt> parsed = DeliveryReceipt.parse(text);
        // SMPP 3.4 puts the id and state in TLVs too; where present they are the authoritative ones.
        String id = SmppText.stringTlv(d, OptionalParameter.Tag.RECEIPTED_MESSAGE_ID);
        if (id == null) {
            id = parsed.map(DeliveryReceipt::id).orElse(null);
        }
        String stat = parsed.map(DeliveryReceipt::stat).orElse(null);
        if (stat == null) {
            stat = ReceiptStatus.statOfMessageState(SmppText.byteTlv(d, OptionalParameter.Tag.MESSAGE_STATE));
        }
        if (id == null || stat == null) {
            LOG.warn("sms: a delivery receipt from the SMSC names no {}; it is ignored", id == null ? "message id" : "state");
            return Optional.empty();
        }
        Optional<StatusUpdate> update = ReceiptStatus.toStatus(id, stat, parsed.map(DeliveryReceipt::err).orElse(null));
        if (update.isEmpty()) {
            LOG.debug("sms: receipt of {} with stat {}: no status change", id, stat);
            return update;
        }
        String doneDate = parsed.map(DeliveryReceipt::doneDate).orElse(null);
        return doneDate == null ? update : update.map(u -> u.attribute("smscDoneDate", doneDate));
    }

    static Optional<InboundMessage> reply(DeliverSm d) {
        String from = PhoneNumbers.fromSmpp(d.getSourceAddr(), d.getSourceAddrTon());
        if (from.isEmpty()) {
            LOG.warn("sms: a message from the SMSC has no source address; it is ignored");
            return Optional.empty();
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("sourceTon", (int) d.getSourceAddrTon());
        attributes.put("sourceNpi", (int) d.getSourceAddrNpi());
        String to = d.getDestAddress() == null || d.getDestAddress().isBlank() ? null : d.getDestAddress();
        // SMPP gives an MO message no id of its own, so providerMessageId stays null.
        return Optional.of(new InboundMessage(from, to, SmppText.decode(d), null, null, attributes));
    }
}
