package io.atrium.plugins.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.InboundMessage;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;
import io.atrium.plugin.api.StatusUpdate;
import io.atrium.plugin.testkit.SmscStub;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.jsmpp.bean.BindType;
import org.jsmpp.bean.SubmitSm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin in smpp mode against a jsmpp stub SMSC on loopback. */
class SmppModeIT {

    static final String SYSTEM_ID = "atrium";
    static final String PASSWORD = "s3cr3t";
    static final Duration WAIT = Duration.ofSeconds(15);

    SmscStub smsc;
    TestConnectorContext ctx;

    @BeforeEach
    void smsc() throws IOException {
        smsc = new SmscStub(SYSTEM_ID, PASSWORD);
    }

    @AfterEach
    void close() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        smsc.close();
    }

    static Map<String, Object> config(int port, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "smpp");
        c.put("smpp-host", "127.0.0.1");
        c.put("smpp-port", port);
        c.put("system-id", SYSTEM_ID);
        c.put("password", password);
        c.put("source-address", "ATRIUM");
        c.put("reconnect-delay", "200ms");
        c.put("enquire-link-interval", "5s");
        c.put("rate-per-second", "5");
        return c;
    }

    TestConnectorContext started() throws Exception {
        ctx = TestConnectorContext.forPlugin("sms", config(smsc.port(), PASSWORD));
        ctx.start(new SmsConnector());
        await().atMost(WAIT).until(smsc::hasReceiver);
        return ctx;
    }

    static OutboundMessage message(String id, String to, String text) {
        return new OutboundMessage(id, "sms", "42", to, OutboundMessage.TRANSACTIONAL, null, text, null, null, null);
    }

    @Test
    void registersTheSmsChannelAddressedByPhoneAtTheConfiguredRate() throws Exception {
        started();
        assertThat(ctx.channelOptions("sms").addressType()).isEqualTo("phone");
        assertThat(ctx.channelOptions("sms").ratePerSecond()).isEqualTo(5.0);
        assertThat(ctx.channelOptions("sms").idempotent()).isFalse();
        assertThat(smsc.binds).contains(BindType.BIND_RX);
    }

    @Test
    void aMessageReachesTheSmscWithItsAddressesAndTextAndReturnsTheSmscId() throws Exception {
        started();
        SendResult result = ctx.sender("sms").send(message("m-1", "+380501112233", "Your code is 1234"));

        assertThat(smsc.submits).hasSize(1);
        SubmitSm sm = smsc.submits.get(0).pdu();
        assertThat(sm.getDestAddress()).isEqualTo("380501112233");
        assertThat(sm.getDestAddrTon()).isEqualTo((byte) 1);
        assertThat(sm.getDestAddrNpi()).isEqualTo((byte) 1);
        assertThat(sm.getSourceAddr()).isEqualTo("ATRIUM");
        assertThat(sm.getSourceAddrTon()).isEqualTo((byte) 5);
        assertThat(sm.getSourceAddrNpi()).isEqualTo((byte) 0);
        assertThat(sm.getRegisteredDelivery()).isEqualTo((byte) 1);
        assertThat(sm.getDataCoding()).isEqualTo((byte) 0);
        assertThat(SmscStub.text(sm)).isEqualTo("Your code is 1234");
        assertThat(result.providerMessageId()).isEqualTo("5A000001");
        assertThat(smsc.binds).contains(BindType.BIND_TX, BindType.BIND_RX);
    }

    @Test
    void textOutsideGsm7GoesAsUcs2() throws Exception {
        started();
        ctx.sender("sms").send(message("m-1", "+380501112233", "Привіт, Олено!"));

        SubmitSm sm = smsc.submits.get(0).pdu();
        assertThat(sm.getDataCoding()).isEqualTo((byte) 0x08);
        assertThat(SmscStub.text(sm)).isEqualTo("Привіт, Олено!");
    }

    @Test
    void aDeliveredReceiptBecomesDeliveredForTheProviderId() throws Exception {
        started();
        String id = ctx.sender("sms").send(message("m-1", "+380501112233", "Hello")).providerMessageId();

        smsc.receipt(smsc.submits.get(0), id, "DELIVRD", "000");

        await().atMost(WAIT).until(() -> ctx.statuses("sms"), s -> !s.isEmpty());
        assertThat(ctx.statuses("sms")).singleElement().satisfies(s -> {
            assertThat(s.providerMessageId()).isEqualTo(id);
            assertThat(s.messageId()).isNull();
            assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(s.detail()).isEqualTo("stat:DELIVRD err:000");
            assertThat(s.attributes()).containsEntry("smscDoneDate", "2511241531");
        });
    }

    @Test
    void undeliveredReceiptsBecomeFailedWithTheReasonOfTheirErrorCode() throws Exception {
        started();
        String unknownNumber = ctx.sender("sms").send(message("m-1", "+380501112233", "a")).providerMessageId();
        String refused = ctx.sender("sms").send(message("m-2", "+380501112234", "b")).providerMessageId();
        String expired = ctx.sender("sms").send(message("m-3", "+380501112235", "c")).providerMessageId();

        smsc.receipt(smsc.submits.get(0), unknownNumber, "UNDELIV", "001");
        smsc.receipt(smsc.submits.get(1), refused, "UNDELIV", "069");
        smsc.receipt(smsc.submits.get(2), expired, "EXPIRED", "000");

        await().atMost(WAIT).until(() -> ctx.statuses("sms"), s -> s.size() == 3);
        Map<String, StatusUpdate> byId = new HashMap<>();
        ctx.statuses("sms").forEach(s -> byId.put(s.providerMessageId(), s));
        assertThat(byId.get(unknownNumber).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(byId.get(unknownNumber).reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(byId.get(unknownNumber).detail()).isEqualTo("stat:UNDELIV err:001");
        assertThat(byId.get(refused).status()).isEqualTo(MessageStatus.FAILED);
        assertThat(byId.get(refused).reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(byId.get(expired).reason()).isEqualTo(FailureReason.EXPIRED);
    }

    @Test
    void anIntermediateStateChangesNothing() throws Exception {
        started();
        String id = ctx.sender("sms").send(message("m-1", "+380501112233", "Hello")).providerMessageId();

        // The stub returns once the plugin answered the deliver_sm, so each receipt is handled by then.
        smsc.receipt(smsc.submits.get(0), id, "ENROUTE", "000");
        assertThat(ctx.statuses("sms")).isEmpty();
        smsc.receipt(smsc.submits.get(0), id, "DELIVRD", "000");
        assertThat(ctx.statuses("sms")).singleElement().extracting(StatusUpdate::status).isEqualTo(MessageStatus.DELIVERED);
    }

    @Test
    void aReceiptInAnotherCaseIsStillRead() throws Exception {
        started();
        smsc.receiptText("380501112233", "ATRIUM",
                "ID:ABC123 SUB:001 DLVRD:001 SUBMIT DATE:2511241530 DONE DATE:2511241531 STAT:DELIVRD ERR:000 TEXT:hi");
        assertThat(ctx.statuses("sms")).singleElement().satisfies(s -> {
            assertThat(s.providerMessageId()).isEqualTo("ABC123");
            assertThat(s.status()).isEqualTo(MessageStatus.DELIVERED);
        });
    }

    @Test
    void submitErrorsMapToTransientOrPermanentFailures() throws Exception {
        started();
        smsc.failNextSubmit(0x58);
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "+380501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("0x58", "ESME_RTHROTTLED");
                });
        smsc.failNextSubmit(0x14);
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-2", "+380501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.isPermanent()).isFalse());
        smsc.failNextSubmit(0x0B);
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-3", "+380501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
                });
        smsc.failNextSubmit(0x45);
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-4", "+380501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
                    assertThat(e.getMessage()).contains("ESME_RSUBMITFAIL");
                });
        // The session survives refusals: the next message goes through.
        assertThat(ctx.sender("sms").send(message("m-5", "+380501112233", "a")).providerMessageId()).isNotNull();
        assertThat(smsc.submits).hasSize(1);
    }

    @Test
    void aNumberThatIsNotE164FailsForGoodWithoutReachingTheSmsc() throws Exception {
        started();
        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "0501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isTrue();
                    assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
                });
        assertThat(smsc.submits).isEmpty();
    }

    @Test
    void aStopReplyBecomesAnInboundMessageFromTheE164Number() throws Exception {
        started();
        smsc.mo("380501112233", "4242", "STOP", false);
        smsc.mo("380501112234", "4242", "Дякую", true);

        assertThat(ctx.inbound("sms")).hasSize(2);
        InboundMessage stop = ctx.inbound("sms").get(0);
        assertThat(stop.from()).isEqualTo("+380501112233");
        assertThat(stop.to()).isEqualTo("4242");
        assertThat(stop.text()).isEqualTo("STOP");
        assertThat(ctx.inbound("sms").get(1).text()).isEqualTo("Дякую");
        assertThat(ctx.statuses("sms")).isEmpty();
    }

    @Test
    void aWrongBindPasswordFailsTheStartNamingTheKeyButNotTheValue() throws Exception {
        ctx = TestConnectorContext.forPlugin("sms", config(smsc.port(), "Wr0ngPw"));
        assertThatThrownBy(() -> ctx.start(new SmsConnector()))
                .hasMessageContaining("refused to bind system-id 'atrium'")
                .hasMessageContaining("ESME_RINVPASWD")
                .hasMessageContaining("check key 'password'")
                .hasMessageNotContaining("Wr0ngPw");
        int refusals = smsc.refused.get();
        assertThat(refusals).isPositive();
        // A plugin that failed to start does not keep knocking with the wrong password.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> smsc.refused.get() == refusals);
    }

    @Test
    void anSmscThatIsDownAtStartIsBoundOnceItIsUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ctx = TestConnectorContext.forPlugin("sms", config(port, PASSWORD));
        ctx.start(new SmsConnector());

        assertThatThrownBy(() -> ctx.sender("sms").send(message("m-1", "+380501112233", "a")))
                .isInstanceOfSatisfying(SendException.class, e -> {
                    assertThat(e.isPermanent()).isFalse();
                    assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + port).doesNotContain(PASSWORD);
                });

        try (SmscStub late = new SmscStub(port, SYSTEM_ID, PASSWORD)) {
            await().atMost(WAIT).until(late::hasReceiver);
            assertThat(ctx.sender("sms").send(message("m-2", "+380501112233", "a")).providerMessageId()).isNotNull();
            assertThat(late.submits).hasSize(1);
            ctx.close();
            ctx = null;
        }
    }

    @Test
    void afterTheSmscDropsItsSessionsBothDirectionsWorkAgain() throws Exception {
        started();
        ctx.sender("sms").send(message("m-1", "+380501112233", "before"));

        smsc.dropSessions();

        await().atMost(WAIT).until(smsc::hasReceiver);
        // The transmitter binds again on its own or on the next message; a send may fail (transient) meanwhile.
        String id = await().atMost(WAIT).ignoreExceptionsInstanceOf(SendException.class)
                .until(() -> ctx.sender("sms").send(message("m-2", "+380501112233", "after")).providerMessageId(),
                        java.util.Objects::nonNull);
        smsc.receipt(smsc.submits.get(smsc.submits.size() - 1), id, "DELIVRD", "000");
        assertThat(ctx.statuses("sms")).singleElement().extracting(StatusUpdate::providerMessageId).isEqualTo(id);
        assertThat(smsc.submits.get(smsc.submits.size() - 1).text()).isEqualTo("after");
    }

    @Test
    void theSmsComponentSendsTheBodyToTheNumberInTheUriOrHeader() throws Exception {
        started();
        var template = ctx.camelContext().createProducerTemplate();
        // As a YAML route writes it: Camel reads the '+' in a URI query as a space, the component restores it.
        template.sendBody("sms:send?to=+380501112233", "From a route");
        var out = template.request("sms:send", e -> {
            e.getMessage().setBody("From a header");
            e.getMessage().setHeader("to", "+380671112233");
        });

        assertThat(smsc.submits).extracting(SmscStub.Submit::to).containsExactly("380501112233", "380671112233");
        assertThat(smsc.submits.get(0).text()).isEqualTo("From a route");
        assertThat(out.getMessage().getHeader(SmsConstants.PROVIDER_MESSAGE_ID)).isEqualTo("5A000002");
    }

    @Test
    void theSmsComponentRefusesUnknownOptionsAndOperations() throws Exception {
        started();
        assertThatThrownBy(() -> ctx.camelContext().getEndpoint("sms:send?too=+380501112233"))
                .hasStackTraceContaining("Unknown parameters").hasStackTraceContaining("too");
        assertThatThrownBy(() -> ctx.camelContext().getEndpoint("sms:receive"))
                .hasStackTraceContaining("unknown operation 'receive'");
    }
}
