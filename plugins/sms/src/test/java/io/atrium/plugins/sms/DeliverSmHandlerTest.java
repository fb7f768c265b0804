package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;
import org.junit.jupiter.api.Test;

/** deliver_sm PDUs as an SMSC sends them, handled without a network. */
class DeliverSmHandlerTest {

    final List<StatusUpdate> statuses = new ArrayList<>();
    final List<InboundMessage> inbound = new ArrayList<>();
    final DeliverSmHandler handler = new DeliverSmHandler(new ChannelFeedback() {
        @Override
        public void status(StatusUpdate update) {
            statuses.add(update);
        }

        @Override
        public void inbound(InboundMessage message) {
            inbound.add(message);
        }

        @Override
        public void optedOut(String address, java.time.Instant at, String detail) {
            throw new AssertionError("not expected");
        }
    });

    static DeliverSm pdu(int esmClass, String text) {
        DeliverSm d = new DeliverSm();
        d.setEsmClass((byte) esmClass);
        d.setSourceAddr("380501112233");
        d.setSourceAddrTon((byte) 1);
        d.setSourceAddrNpi((byte) 1);
        d.setDestAddress("4242");
        d.setShortMessage(text.getBytes(StandardCharsets.ISO_8859_1));
        return d;
    }

    @Test
    void aReceiptBecomesAStatusOfTheProviderMessage() {
        handler.handle(pdu(0x04, "id:77AB sub:001 dlvrd:001 submit date:2511241530 done date:2511241531 stat:DELIVRD "
                + "err:000 text:hello"));
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.providerMessageId()).isEqualTo("77AB");
            assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
        });
        assertThat(inbound).isEmpty();
    }

    @Test
    void theReceiptedMessageIdTlvWinsOverTheText() {
        DeliverSm d = pdu(0x04, "id:1234 stat:DELIVRD err:000");
        d.setOptionalParameters(new OptionalParameter.Receipted_message_id("4D2"));
        handler.handle(d);
        assertThat(statuses).singleElement().extracting(StatusUpdate::providerMessageId).isEqualTo("4D2");
    }

    @Test
    void aReceiptWithOnlyTlvsIsRead() {
        DeliverSm d = pdu(0x04, "");
        d.setOptionalParameters(new OptionalParameter.Receipted_message_id("ABC"),
                new OptionalParameter.Message_state((byte) 5));
        handler.handle(d);
        assertThat(statuses).singleElement().satisfies(s -> {
            assertThat(s.providerMessageId()).isEqualTo("ABC");
            assertThat(s.status()).isEqualTo(MessageStatus.FAILED);
        });
    }

    @Test
    void aReceiptNamingNoMessageIsIgnored() {
        handler.handle(pdu(0x04, "stat:DELIVRD"));
        handler.handle(pdu(0x04, "garbage"));
        assertThat(statuses).isEmpty();
        assertThat(inbound).isEmpty();
    }

    @Test
    void anSmeAcknowledgementIsNeitherAReceiptNorAReply() {
        handler.handle(pdu(0x08, "ack"));
        assertThat(statuses).isEmpty();
        assertThat(inbound).isEmpty();
    }

    @Test
    void aPlainDeliverSmIsAReplyFromTheE164Sender() {
        handler.handle(pdu(0x00, "STOP"));
        assertThat(inbound).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo("+380501112233");
            assertThat(m.to()).isEqualTo("4242");
            assertThat(m.text()).isEqualTo("STOP");
            assertThat(m.providerMessageId()).isNull();
            assertThat(m.attributes()).containsEntry("sourceTon", 1);
        });
        assertThat(statuses).isEmpty();
    }

    @Test
    void aReplyInUcs2WithAUserDataHeaderIsDecoded() {
        byte[] udh = {0x05, 0x00, 0x03, 0x2A, 0x01, 0x01};
        byte[] text = "Стоп".getBytes(StandardCharsets.UTF_16BE);
        byte[] body = new byte[udh.length + text.length];
        System.arraycopy(udh, 0, body, 0, udh.length);
        System.arraycopy(text, 0, body, udh.length, text.length);
        DeliverSm d = pdu(0x40, "");
        d.setShortMessage(body);
        d.setDataCoding((byte) 0x08);
        handler.handle(d);
        assertThat(inbound).singleElement().extracting(InboundMessage::text).isEqualTo("Стоп");
    }

    @Test
    void aReplyInTheMessagePayloadTlvIsRead() {
        DeliverSm d = pdu(0x00, "");
        d.setOptionalParameters(new OptionalParameter.OctetString(OptionalParameter.Tag.MESSAGE_PAYLOAD.code(),
                "STOP please".getBytes(StandardCharsets.ISO_8859_1)));
        handler.handle(d);
        assertThat(inbound).singleElement().extracting(InboundMessage::text).isEqualTo("STOP please");
    }

    @Test
    void aReplyWithoutASenderIsIgnored() {
        DeliverSm d = pdu(0x00, "STOP");
        d.setSourceAddr("");
        handler.handle(d);
        assertThat(inbound).isEmpty();
    }

    @Test
    void outgoingTextUsesGsmWhereItCanAndUcs2Elsewhere() {
        assertThat(SmppText.alphabetFor("Your code is 1234, pay $5 @ shop_1!")).isEqualTo(Alphabet.ALPHA_DEFAULT);
        assertThat(SmppText.alphabetFor("Привіт")).isEqualTo(Alphabet.ALPHA_UCS2);
        assertThat(SmppText.alphabetFor("ok 👍")).isEqualTo(Alphabet.ALPHA_UCS2);
        assertThat(SmppText.alphabetFor("naïve")).isEqualTo(Alphabet.ALPHA_UCS2);
    }
}
