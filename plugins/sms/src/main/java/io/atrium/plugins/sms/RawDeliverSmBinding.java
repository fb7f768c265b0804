package io.atrium.plugins.sms;

import org.apache.camel.CamelContext;
import org.apache.camel.component.smpp.SmppBinding;
import org.apache.camel.component.smpp.SmppConfiguration;
import org.apache.camel.component.smpp.SmppConstants;
import org.apache.camel.component.smpp.SmppMessage;
import org.apache.camel.component.smpp.SmppMessageType;
import org.jsmpp.bean.DeliverSm;

/**
 * Hands a deliver_sm to the route as it came. camel-smpp's own binding parses receipts with jsmpp's
 * strict parser, and a receipt it cannot parse (a field in another case, a non-numeric count) is
 * dropped before any route sees it; {@link DeliverSmHandler} reads the PDU itself, leniently.
 */
final class RawDeliverSmBinding extends SmppBinding {

    RawDeliverSmBinding(SmppConfiguration configuration) {
        super(configuration);
    }

    @Override
    public SmppMessage createSmppMessage(CamelContext camelContext, DeliverSm deliverSm) {
        SmppMessage message = new SmppMessage(camelContext, deliverSm, getConfiguration());
        message.setHeader(SmppConstants.MESSAGE_TYPE, deliverSm.isSmscDeliveryReceipt()
                ? SmppMessageType.DeliveryReceipt.toString() : SmppMessageType.DeliverSm.toString());
        return message;
    }
}
