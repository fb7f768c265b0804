package io.atrium.plugin.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCoding;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.ServerResponseDeliveryAdapter;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * An SMSC on a loopback port for tests, on jsmpp's server side (the test module brings jsmpp: it is
 * an optional dependency of the test kit). It binds an ESME that gives the right system_id and
 * password (any other is refused with ESME_RINVSYSID or ESME_RINVPASWD), answers every
 * {@code submit_sm} with a fresh message id ({@code 5A000001}, {@code 5A000002}, ...) or with the
 * error status it was told to ({@link #failNextSubmit}), and sends SMPP 3.4 delivery receipts
 * ({@code deliver_sm}, esm_class 0x04, text {@code id:<id> ... stat:<stat> err:<err> ...}) and
 * messages a person sent (MO) on the newest bound receiver or transceiver session.
 *
 * <p>Receipts are sent when the test says so ({@link #receipt}), or, after
 * {@link #deliverReceiptsAfter}, by the stub itself: a DELIVRD receipt that moment after the
 * {@code submit_sm_resp} is on the wire, for every submit that asked for one, as an operator's SMSC
 * does when the phone acknowledges the message.
 *
 * <pre>{@code
 * try (SmscStub smsc = new SmscStub("atrium", "s3cret")) {
 *     // config: smpp-host 127.0.0.1, smpp-port smsc.port()
 *     SmscStub.Submit sm = smsc.submits.get(0);
 *     smsc.receipt(sm, sm.messageId(), "DELIVRD", "000");
 * }
 * }</pre>
 */
public final class SmscStub implements AutoCloseable {

    /** A submit_sm as the stub took it: the id it answered with, and the PDU. */
    public record Submit(String messageId, SubmitSm pdu) {
        public String from() {
            return pdu.getSourceAddr();
        }

        public String to() {
            return pdu.getDestAddress();
        }

        public int dataCoding() {
            return pdu.getDataCoding();
        }

        /** The text, by its data_coding (0x08: UCS-2, else Latin-1). */
        public String text() {
            return SmscStub.text(pdu);
        }

        /** Whether the ESME asked for a delivery receipt (registered_delivery). */
        public boolean wantsReceipt() {
            return (pdu.getRegisteredDelivery() & 0x03) != 0;
        }
    }

    private static final DateTimeFormatter SMPP_DATE = DateTimeFormatter.ofPattern("yyMMddHHmm");
    private static final ESMClass RECEIPT = new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT);

    private final String systemId;
    private final String password;
    private final SMPPServerSessionListener listener;
    private final int port;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> daemon(r, "smsc-stub"));
    private final ScheduledExecutorService receiptTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "smsc-stub-receipts"));
    private final AtomicInteger ids = new AtomicInteger(0x5A000000);
    private final Queue<Integer> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, Submit> awaitingResp = new ConcurrentHashMap<>();
    private final List<SMPPServerSession> receivers = new CopyOnWriteArrayList<>();
    private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
    private volatile Duration receiptDelay;
    private volatile boolean running = true;

    /** Every submit_sm that was answered with a message id, in order. */
    public final List<Submit> submits = new CopyOnWriteArrayList<>();
    /** Bind types accepted, in order. */
    public final List<BindType> binds = new CopyOnWriteArrayList<>();
    /** Binds refused for a wrong system_id or password. */
    public final AtomicInteger refused = new AtomicInteger();
    /** The message ids of the receipts the stub sent by itself ({@link #deliverReceiptsAfter}). */
    public final List<String> receiptsSent = new CopyOnWriteArrayList<>();
    /** What went wrong inside the stub (a receipt it could not send), for failure messages. */
    public final List<String> problems = new CopyOnWriteArrayList<>();

    /** On a free loopback port. */
    public SmscStub(String systemId, String password) throws IOException {
        this(0, systemId, password);
    }

    /** On {@code port} of the loopback interface (0: a free one). */
    public SmscStub(int port, String systemId, String password) throws IOException {
        this.systemId = systemId;
        this.password = password;
        Loopback factory = new Loopback();
        this.listener = new SMPPServerSessionListener(port, factory);
        this.port = factory.socket.getLocalPort();
        listener.setMessageReceiverListener(new Receiver());
        listener.setResponseDeliveryListener(new ServerResponseDeliveryAdapter() {
            @Override
            public void onSubmitSmRespSent(SubmitSmResult result, SMPPServerSession source) {
                Submit s = awaitingResp.remove(result.getMessageId());
                Duration delay = receiptDelay;
                if (s != null && delay != null && s.wantsReceipt()) {
                    receiptTimer.schedule(() -> deliveredReceipt(s), delay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
        pool.execute(this::acceptLoop);
    }

    /** From now on, every submit that asks for a receipt gets DELIVRD {@code delay} after its submit_sm_resp. */
    public SmscStub deliverReceiptsAfter(Duration delay) {
        this.receiptDelay = delay;
        return this;
    }

    public int port() {
        return port;
    }

    /** The next submit_sm is answered with this command_status. */
    public void failNextSubmit(int commandStatus) {
        failures.add(commandStatus);
    }

    public boolean hasReceiver() {
        return receivers.stream().anyMatch(s -> s.getSessionState().isReceivable());
    }

    /**
     * Sends {@code id:<id> sub:001 dlvrd:.. submit date:.. done date:.. stat:<stat> err:<err> text:...}
     * as the receipt of {@code of}; returns once the ESME answered it.
     */
    public void receipt(Submit of, String id, String stat, String err) throws Exception {
        String dlvrd = stat.equals("DELIVRD") ? "001" : "000";
        String text = "id:" + id + " sub:001 dlvrd:" + dlvrd + " submit date:2511241530 done date:2511241531 stat:" + stat
                + " err:" + err + " text:" + textStart(of);
        receiptText(of.to(), of.from(), text);
    }

    /** A receipt with this exact text, from the recipient's number back to the sender of the message. */
    public void receiptText(String recipient, String sender, String text) throws Exception {
        receiver().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, recipient,
                TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, sender, RECEIPT, (byte) 0, (byte) 0,
                new RegisteredDelivery(0), DataCodings.ZERO, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A message a person sent: from an international number to our short code. */
    public void mo(String fromDigits, String to, String text, boolean ucs2) throws Exception {
        DataCoding coding = ucs2 ? DataCodings.newInstance((byte) 0x08) : DataCodings.ZERO;
        receiver().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, fromDigits,
                TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, to, new ESMClass(), (byte) 0, (byte) 0,
                new RegisteredDelivery(0), coding,
                text.getBytes(ucs2 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1));
    }

    /** The text of a submit_sm, by its data_coding. */
    public static String text(SubmitSm sm) {
        return new String(sm.getShortMessage(), sm.getDataCoding() == 0x08 ? StandardCharsets.UTF_16BE
                : StandardCharsets.ISO_8859_1);
    }

    /** Closes every session, as an SMSC restart would; the listener stays. */
    public void dropSessions() {
        for (SMPPServerSession s : sessions) {
            s.close();
        }
        sessions.clear();
        receivers.clear();
    }

    @Override
    public String toString() {
        return "stub SMSC on 127.0.0.1:" + port + " (binds " + binds + ", refused " + refused + ", submits "
                + submits.stream().map(s -> s.messageId() + " " + s.from() + "->" + s.to() + " '" + s.text() + "'").toList()
                + ", receipts " + receiptsSent + ", problems " + problems + ")";
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (SMPPServerSession s : sessions) {
            s.close();
        }
        listener.close();
        receiptTimer.shutdownNow();
        pool.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The first 20 characters of the message, as the receipt's text field carries them. */
    private static String textStart(Submit s) {
        String text = new String(s.pdu().getShortMessage(), StandardCharsets.ISO_8859_1);
        return text.substring(0, Math.min(20, text.length()));
    }

    /** The newest bound session that can receive (RX or TRX), as the ESME's receiver listens there. */
    private SMPPServerSession receiver() {
        for (int i = receivers.size() - 1; i >= 0; i--) {
            SMPPServerSession s = receivers.get(i);
            if (s.getSessionState().isReceivable()) {
                return s;
            }
        }
        throw new IllegalStateException("no receiver session is bound to the stub SMSC");
    }

    private void deliveredReceipt(Submit s) {
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(SMPP_DATE);
        String text = "id:" + s.messageId() + " sub:001 dlvrd:001 submit date:" + now + " done date:" + now
                + " stat:DELIVRD err:000 text:" + s.text().substring(0, Math.min(20, s.text().length()));
        // Newest receiver first; should that one fail (a session going away), the next older one.
        for (int i = receivers.size() - 1; i >= 0; i--) {
            SMPPServerSession r = receivers.get(i);
            if (!r.getSessionState().isReceivable()) {
                continue;
            }
            try {
                r.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, s.to(),
                        TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, s.from(), RECEIPT, (byte) 0, (byte) 0,
                        new RegisteredDelivery(0), DataCodings.ZERO, text.getBytes(StandardCharsets.ISO_8859_1));
                receiptsSent.add(s.messageId());
                return;
            } catch (Exception e) {
                problems.add("receipt for " + s.messageId() + " on a receiver session: " + e);
            }
        }
        problems.add("no bound receiver session took the receipt for " + s.messageId());
    }

    private void acceptLoop() {
        while (running) {
            try {
                SMPPServerSession session = listener.accept();
                pool.execute(() -> bind(session));
            } catch (IOException e) {
                if (running) {
                    problems.add("accept: " + e);
                }
                return;
            }
        }
    }

    private void bind(SMPPServerSession session) {
        try {
            BindRequest request = session.waitForBind(10_000);
            if (!systemId.equals(request.getSystemId())) {
                refused.incrementAndGet();
                request.reject(SMPPConstant.STAT_ESME_RINVSYSID);
                return;
            }
            if (!password.equals(request.getPassword())) {
                refused.incrementAndGet();
                request.reject(SMPPConstant.STAT_ESME_RINVPASWD);
                return;
            }
            request.accept("stub-smsc");
            binds.add(request.getBindType());
            sessions.add(session);
            if (request.getBindType() == BindType.BIND_RX || request.getBindType() == BindType.BIND_TRX) {
                receivers.add(session);
            }
        } catch (Exception e) {
            session.close();
        }
    }

    private final class Receiver implements ServerMessageReceiverListener {

        @Override
        public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source) throws ProcessRequestException {
            Integer failure = failures.poll();
            if (failure != null) {
                throw new ProcessRequestException("told to refuse", failure);
            }
            String id = Integer.toHexString(ids.incrementAndGet()).toUpperCase();
            MessageId messageId;
            try {
                messageId = new MessageId(id);
            } catch (Exception e) {
                throw new ProcessRequestException("bad message id " + id, SMPPConstant.STAT_ESME_RSYSERR);
            }
            Submit s = new Submit(id, submitSm);
            awaitingResp.put(id, s);
            submits.add(s);
            return new SubmitSmResult(messageId, new OptionalParameter[0]);
        }

        @Override
        public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
                throws ProcessRequestException {
            throw notOffered("submit_multi");
        }

        @Override
        public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
            throw notOffered("query_sm");
        }

        @Override
        public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
            throw notOffered("replace_sm");
        }

        @Override
        public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
            throw notOffered("cancel_sm");
        }

        @Override
        public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw notOffered("broadcast_sm");
        }

        @Override
        public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw notOffered("cancel_broadcast_sm");
        }

        @Override
        public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw notOffered("query_broadcast_sm");
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
            throw notOffered("data_sm");
        }

        private ProcessRequestException notOffered(String operation) {
            return new ProcessRequestException(operation + " is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }
    }

    /** jsmpp's listener on a server socket bound to the loopback interface, never to the network. */
    private static final class Loopback implements ServerConnectionFactory {
        ServerSocket socket;

        @Override
        public ServerConnection listen(int port) throws IOException {
            socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            return new ServerSocketConnection(socket);
        }

        @Override
        public ServerConnection listen(int port, int timeout) throws IOException {
            ServerConnection c = listen(port);
            c.setSoTimeout(timeout);
            return c;
        }

        @Override
        public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
            return listen(port, timeout);
        }
    }
}
