package io.atrium.plugins.sms;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.atrium.plugin.api.ChannelFeedback;
import io.atrium.plugin.api.ConnectorContext;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.smpp.SmppComponent;
import org.apache.camel.component.smpp.SmppConfiguration;
import org.apache.camel.component.smpp.SmppConstants;
import org.apache.camel.component.smpp.SmppEndpoint;
import org.apache.camel.component.smpp.SmppSplittingPolicy;
import org.apache.camel.support.service.ServiceHelper;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * smpp mode: camel-smpp's producer (a transmitter session, bound on the first send and again after
 * a loss) sends submit_sm; a camel-smpp consumer route (a receiver session) takes delivery receipts
 * and replies. The receiver is bound in {@link #listen}: a refused bind (wrong password, system_id)
 * fails the plugin's start with the reason; an SMSC that cannot be reached yet does not, the
 * receiver is retried every reconnect-delay until it binds, and sends fail as transient meanwhile.
 */
final class SmppGateway implements SmsGateway {

    private static final Logger LOG = LoggerFactory.getLogger(SmppGateway.class);

    private final SmppSettings settings;
    private volatile SmppEndpoint transmitter;
    private volatile Producer producer;
    private SmppEndpoint receiver;
    private String receiverRouteId;
    private CamelContext camel;
    private ScheduledExecutorService retries;
    private volatile boolean closed;
    private volatile String lastReceiverFailure;

    SmppGateway(SmppSettings settings) {
        this.settings = settings;
    }

    static SmppConfiguration configuration(SmppSettings s) {
        SmppConfiguration c = new SmppConfiguration();
        c.setHost(s.host());
        c.setPort(s.port());
        c.setSystemId(s.systemId());
        c.setPassword(s.password());
        c.setSystemType(s.systemType());
        c.setSourceAddr(s.sourceAddress());
        c.setSourceAddrTon(s.sourceTon());
        c.setSourceAddrNpi(s.sourceNpi());
        c.setDestAddrTon(s.destTon());
        c.setDestAddrNpi(s.destNpi());
        c.setRegisteredDelivery(s.registeredDelivery()
                ? SMSCDeliveryReceipt.SUCCESS_FAILURE.value() : SMSCDeliveryReceipt.DEFAULT.value());
        c.setEnquireLinkTimer((int) s.enquireLinkInterval().toMillis());
        c.setInitialReconnectDelay(s.reconnectDelay().toMillis());
        c.setReconnectDelay(s.reconnectDelay().toMillis());
        c.setSplittingPolicy(SmppSplittingPolicy.ALLOW);
        c.setEncoding("ISO-8859-1");
        return c;
    }

    @Override
    public void open(ConnectorContext ctx) throws Exception {
        camel = ctx.camelContext();
        // A component of our own, not registered under a scheme: the endpoints are the plugin's alone.
        SmppComponent component = new SmppComponent(camel);
        SmppConfiguration tx = configuration(settings);
        // Bind on the first send rather than at start, and again on the next send after a loss. camel-smpp
        // reconnects a lost session in the thread that noticed the loss, which can be a send: one attempt
        // keeps that send from hanging while the SMSC is down.
        tx.setLazySessionCreation(true);
        tx.setMaxReconnect(1);
        transmitter = new SmppEndpoint(settings.endpoint(), component, tx);
        Producer p = transmitter.createProducer();
        ServiceHelper.startService(transmitter, p);
        producer = p;
        LOG.info("sms: SMPP transmitter for {} ready (binds on the first message)", settings.endpoint());
    }

    @Override
    public void listen(ConnectorContext ctx, ChannelFeedback feedback) throws Exception {
        SmppConfiguration rx = configuration(settings);
        receiver = new SmppEndpoint(settings.endpoint(), new SmppComponent(camel), rx);
        receiver.setBinding(new RawDeliverSmBinding(rx));
        receiverRouteId = ctx.pluginId() + "-smpp-receiver";
        String routeId = receiverRouteId;
        SmppEndpoint from = receiver;
        ctx.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId(routeId).autoStartup(false).process(new DeliverSmHandler(feedback));
            }
        });
        try {
            camel.getRouteController().startRoute(routeId);
            LOG.info("sms: SMPP receiver bound to {}", settings.endpoint());
        } catch (Exception e) {
            Optional<Integer> refused = SmppErrors.bindRefusal(e);
            if (refused.isPresent() && SmppErrors.isCredentialRefusal(refused.get())) {
                throw new IllegalStateException("the SMSC at " + settings.host() + ":" + settings.port()
                        + " refused to bind system-id '" + settings.systemId() + "': "
                        + SmppErrors.describe(refused.get()) + "; " + SmppErrors.bindHint(refused.get()));
            }
            lastReceiverFailure = SmppErrors.message(e);
            LOG.warn("sms: cannot bind the SMPP receiver to {} yet ({}); trying again every {}", settings.endpoint(),
                    lastReceiverFailure, settings.reconnectDelay());
            stopQuietly();
            retries = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "sms-smpp-receiver-bind");
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (!closed) {
            try {
                retries.schedule(this::retryReceiver, settings.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    private void retryReceiver() {
        if (closed || camel.getRoute(receiverRouteId) == null
                || camel.getRouteController().getRouteStatus(receiverRouteId) == ServiceStatus.Started) {
            return;
        }
        try {
            camel.getRouteController().startRoute(receiverRouteId);
            LOG.info("sms: SMPP receiver bound to {}", settings.endpoint());
            lastReceiverFailure = null;
        } catch (Exception e) {
            String why = SmppErrors.message(e);
            Optional<Integer> refused = SmppErrors.bindRefusal(e);
            if (refused.isPresent()) {
                why = "bind refused: " + SmppErrors.describe(refused.get()) + "; " + SmppErrors.bindHint(refused.get());
            }
            if (!why.equals(lastReceiverFailure)) {
                LOG.warn("sms: still cannot bind the SMPP receiver to {}: {}", settings.endpoint(), why);
                lastReceiverFailure = why;
            } else {
                LOG.debug("sms: still cannot bind the SMPP receiver to {}: {}", settings.endpoint(), why);
            }
            stopQuietly();
            scheduleRetry();
        }
    }

    private void stopQuietly() {
        try {
            camel.getRouteController().stopRoute(receiverRouteId);
        } catch (Exception e) {
            LOG.debug("sms: stopping the receiver route after a failed bind", e);
        }
    }

    @Override
    public SendResult send(OutboundMessage message) throws SendException {
        Producer p = producer;
        if (p == null || closed) {
            throw new SendException(FailureReason.UNAVAILABLE, "the sms plugin is not started", false);
        }
        if (!PhoneNumbers.isE164(message.to())) {
            throw new SendException(FailureReason.INVALID_ADDRESS, "'" + message.to()
                    + "' is not an E.164 number (+ and 5 to 15 digits)", true);
        }
        if (message.text().isEmpty()) {
            throw new SendException(FailureReason.REJECTED, "the message has no text", true);
        }
        Exchange exchange = transmitter.createExchange();
        Message in = exchange.getIn();
        in.setBody(message.text());
        in.setHeader(SmppConstants.DEST_ADDR, PhoneNumbers.smppDestination(message.to()));
        Alphabet alphabet = SmppText.alphabetFor(message.text());
        in.setHeader(SmppConstants.ALPHABET, alphabet.value());
        // A long message goes in parts; only the last asks for a receipt, and its id is the one returned.
        in.setHeader(SmppConstants.SINGLE_DLR, true);
        String sender = message.attribute("sender");
        if (sender != null && !sender.isBlank()) {
            byte ton = PhoneNumbers.sourceTon(sender);
            in.setHeader(SmppConstants.SOURCE_ADDR, PhoneNumbers.smppSource(sender, ton));
            in.setHeader(SmppConstants.SOURCE_ADDR_TON, ton);
            in.setHeader(SmppConstants.SOURCE_ADDR_NPI, PhoneNumbers.sourceNpi(sender));
        }
        try {
            p.process(exchange);
        } catch (Exception e) {
            throw SmppErrors.toSendException(e, settings.endpoint());
        }
        if (exchange.getException() != null) {
            throw SmppErrors.toSendException(exchange.getException(), settings.endpoint());
        }
        List<?> ids = exchange.getMessage().getHeader(SmppConstants.ID, List.class);
        Object id = ids == null || ids.isEmpty() ? null : ids.get(ids.size() - 1);
        return SendResult.accepted(id == null ? null : id.toString());
    }

    @Override
    public void close() {
        closed = true;
        if (retries != null) {
            camel.getExecutorServiceManager().shutdownNow(retries);
        }
        Producer p = producer;
        producer = null;
        ServiceHelper.stopAndShutdownServices(p, transmitter);
    }
}
