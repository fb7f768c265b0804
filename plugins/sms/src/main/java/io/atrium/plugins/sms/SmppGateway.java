package io.atrium.plugins.sms;

import java.io.IOException;
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
import org.apache.camel.component.smpp.SmppConnectionFactory;
import org.apache.camel.component.smpp.SmppConstants;
import org.apache.camel.component.smpp.SmppEndpoint;
import org.apache.camel.component.smpp.SmppSplittingPolicy;
import org.apache.camel.support.service.ServiceHelper;
import org.jsmpp.DefaultPDUReader;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.util.DefaultComposer;
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
    private static final long PROBE_TIMEOUT_MS = 10_000;

    private final SmppSettings settings;
    private volatile SmppEndpoint transmitter;
    private volatile Producer producer;
    private SmppEndpoint receiver;
    private String receiverRouteId;
    private CamelContext camel;
    private ScheduledExecutorService retries; // guarded by this
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
            probe();
        } catch (IOException e) {
            Optional<Integer> refused = SmppErrors.bindRefusal(e);
            if (refused.isPresent() && SmppErrors.isCredentialRefusal(refused.get())) {
                throw new IllegalStateException("the SMSC at " + settings.host() + ":" + settings.port()
                        + " refused to bind system-id '" + settings.systemId() + "': "
                        + SmppErrors.describe(refused.get()) + "; " + SmppErrors.bindHint(refused.get()));
            }
            lastReceiverFailure = why(e);
            LOG.warn("sms: cannot bind the SMPP receiver to {} yet ({}); trying again every {}", settings.endpoint(),
                    lastReceiverFailure, settings.reconnectDelay());
            scheduleRetry();
            return;
        }
        try {
            startReceiver();
        } catch (Exception e) {
            lastReceiverFailure = why(e);
            LOG.warn("sms: cannot start the SMPP receiver for {} yet ({}); trying again every {}", settings.endpoint(),
                    lastReceiverFailure, settings.reconnectDelay());
            stopReceiverQuietly();
            scheduleRetry();
        }
    }

    /**
     * Binds and unbinds once, as the receiver would. camel-smpp's consumer, when its first bind is
     * refused, keeps retrying in the thread that started it; so the route is only started once a bind
     * with these settings has worked.
     */
    void probe() throws IOException {
        SMPPSession session = new SMPPSession(new SynchronizedPDUSender(new DefaultPDUSender(new DefaultComposer())),
                new DefaultPDUReader(), SmppConnectionFactory.getInstance(configuration(settings)));
        session.setEnquireLinkTimer((int) settings.enquireLinkInterval().toMillis());
        try {
            session.connectAndBind(settings.host(), settings.port(), new BindParameter(BindType.BIND_RX,
                    settings.systemId(), settings.password(), settings.systemType(), TypeOfNumber.UNKNOWN,
                    NumberingPlanIndicator.UNKNOWN, ""), PROBE_TIMEOUT_MS);
        } finally {
            session.unbindAndClose();
        }
    }

    private void startReceiver() throws Exception {
        camel.getRouteController().startRoute(receiverRouteId);
        lastReceiverFailure = null;
        LOG.info("sms: SMPP receiver bound to {}", settings.endpoint());
    }

    private synchronized void scheduleRetry() {
        if (!closed) {
            if (retries == null) {
                retries = camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "sms-smpp-receiver-bind");
            }
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
            probe();
            startReceiver();
        } catch (Exception e) {
            String why = why(e);
            if (!why.equals(lastReceiverFailure)) {
                LOG.warn("sms: still cannot bind the SMPP receiver to {}: {}", settings.endpoint(), why);
                lastReceiverFailure = why;
            } else {
                LOG.debug("sms: still cannot bind the SMPP receiver to {}: {}", settings.endpoint(), why);
            }
            stopReceiverQuietly();
            scheduleRetry();
        }
    }

    private void stopReceiverQuietly() {
        try {
            camel.getRouteController().stopRoute(receiverRouteId);
        } catch (Exception stop) {
            LOG.debug("sms: stopping the receiver route after a failed start", stop);
        }
    }

    private static String why(Exception e) {
        Optional<Integer> refused = SmppErrors.bindRefusal(e);
        return refused.map(status -> "bind refused: " + SmppErrors.describe(status) + "; " + SmppErrors.bindHint(status))
                .orElseGet(() -> SmppErrors.message(e));
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
        synchronized (this) {
            closed = true;
            if (retries != null) {
                camel.getExecutorServiceManager().shutdownNow(retries);
            }
        }
        Producer p = producer;
        producer = null;
        ServiceHelper.stopAndShutdownServices(p, transmitter);
    }
}
