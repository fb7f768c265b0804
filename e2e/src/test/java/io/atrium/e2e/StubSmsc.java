package io.atrium.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.GSMSpecificFeature;
import org.jsmpp.bean.MessageMode;
import org.jsmpp.bean.MessageType;
import org.jsmpp.bean.NumberingPlanIndicator;
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
 * An SMSC for the end-to-end tests, on jsmpp's server side and 127.0.0.1 only. It binds an ESME
 * that gives the right system_id and password (any other is refused with ESME_RINVSYSID or
 * ESME_RINVPASWD), answers every {@code submit_sm} with a fresh message id, and once that answer is
 * on the wire sends, a moment later, the SMPP 3.4 delivery receipt ({@code deliver_sm}, esm_class
 * 0x04, text {@code id:<id> ... stat:DELIVRD err:000 ...}) on a bound receiver or transceiver
 * session, as an operator's SMSC does when the phone acknowledges the message.
 */
final class StubSmsc implements AutoCloseable {

    /** A submit_sm as the stub took it. */
    record Submit(String messageId, String from, String to, int dataCoding, String text, boolean wantsReceipt) {
    }

    private static final DateTimeFormatter SMPP_DATE = DateTimeFormatter.ofPattern("yyMMddHHmm");

    private final String systemId;
    private final String password;
    private final SMPPServerSessionListener listener;
    private final int port;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> daemon(r, "stub-smsc"));
    private final ScheduledExecutorService receipts = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "stub-smsc-receipts"));
    private final AtomicLong nextId = new AtomicLong(0x1F000000L);
    private final List<SMPPServerSession> bound = new CopyOnWriteArrayList<>();
    private final Map<String, Submit> pendingReceipts = new ConcurrentHashMap<>();
    private volatile boolean open = true;

    /** Every submit_sm accepted, in order. */
    final List<Submit> submits = new CopyOnWriteArrayList<>();
    /** Every receipt sent: the message ids. */
    final List<String> receiptsSent = new CopyOnWriteArrayList<>();
    /** Binds, as "BIND_TX", "BIND_RX", ..., and refusals as "refused:<system_id>". */
    final List<String> binds = new CopyOnWriteArrayList<>();
    /** What went wrong inside the stub (a receipt it could not send), for failure messages. */
    final List<String> problems = new CopyOnWriteArrayList<>();

    private final Duration receiptDelay;

    /** An SMSC whose receipts come {@code receiptDelay} after the submit_sm_resp (the phone's acknowledgement). */
    StubSmsc(String systemId, String password, Duration receiptDelay) throws IOException {
        this.receiptDelay = receiptDelay;
        this.systemId = systemId;
        this.password = password;
        LoopbackOnly sockets = new LoopbackOnly();
        this.listener = new SMPPServerSessionListener(0, sockets);
        this.port = sockets.socket.getLocalPort();
        listener.setMessageReceiverListener(new Submits());
        listener.setResponseDeliveryListener(new ServerResponseDeliveryAdapter() {
            @Override
            public void onSubmitSmRespSent(SubmitSmResult result, SMPPServerSession source) {
                Submit s = pendingReceipts.remove(result.getMessageId());
                if (s != null && s.wantsReceipt()) {
                    receipts.schedule(() -> sendReceipt(s), receiptDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        });
        workers.execute(this::acceptLoop);
    }

    int port() {
        return port;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "stub SMSC on 127.0.0.1:" + port + " (binds " + binds + ", submits " + submits + ", receipts " + receiptsSent
                + ", problems " + problems + ")";
    }

    private void acceptLoop() {
        while (open) {
            try {
                SMPPServerSession session = listener.accept();
                workers.execute(() -> bind(session));
            } catch (IOException e) {
                if (open) {
                    problems.add("accept: " + e);
                }
                return;
            }
        }
    }

    private void bind(SMPPServerSession session) {
        try {
            BindRequest bind = session.waitForBind(10_000);
            if (!systemId.equals(bind.getSystemId())) {
                binds.add("refused:" + bind.getSystemId());
                bind.reject(SMPPConstant.STAT_ESME_RINVSYSID);
                return;
            }
            if (!password.equals(bind.getPassword())) {
                binds.add("refused:" + bind.getSystemId());
                bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
                return;
            }
            bind.accept("stub-smsc");
            binds.add(bind.getBindType().name());
            bound.add(session);
        } catch (Exception e) {
            session.close();
        }
    }

    /** The receipt goes to a bound receiver (RX or TRX), newest first, as the ESME's receiver listens there. */
    private void sendReceipt(Submit s) {
        String now = ZonedDateTime.now(ZoneOffset.UTC).format(SMPP_DATE);
        String text = "id:" + s.messageId() + " sub:001 dlvrd:001 submit date:" + now + " done date:" + now
                + " stat:DELIVRD err:000 text:" + s.text().substring(0, Math.min(20, s.text().length()));
        List<SMPPServerSession> receivers = new ArrayList<>(bound);
        java.util.Collections.reverse(receivers);
        for (SMPPServerSession r : receivers) {
            if (!r.getSessionState().isReceivable()) {
                continue;
            }
            try {
                // A receipt goes from the recipient's number back to the sender of the message.
                r.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, s.to(),
                        TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, s.from(),
                        new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
                        (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                        text.getBytes(StandardCharsets.ISO_8859_1));
                receiptsSent.add(s.messageId());
                return;
            } catch (Exception e) {
                problems.add("receipt for " + s.messageId() + " on a receiver session: " + e);
            }
        }
        problems.add("no bound receiver session took the receipt for " + s.messageId());
    }

    @Override
    public void close() throws IOException {
        open = false;
        for (SMPPServerSession s : bound) {
            s.close();
        }
        listener.close();
        receipts.shutdownNow();
        workers.shutdownNow();
    }

    private final class Submits implements ServerMessageReceiverListener {

        @Override
        public SubmitSmResult onAcceptSubmitSm(SubmitSm sm, SMPPServerSession source) throws ProcessRequestException {
            String id = Long.toHexString(nextId.incrementAndGet()).toUpperCase();
            byte coding = sm.getDataCoding();
            String text = new String(sm.getShortMessage(), coding == 0x08 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1);
            Submit s = new Submit(id, sm.getSourceAddr(), sm.getDestAddress(), coding, text,
                    (sm.getRegisteredDelivery() & 0x03) != 0);
            submits.add(s);
            pendingReceipts.put(id, s);
            try {
                return new SubmitSmResult(new MessageId(id), new org.jsmpp.bean.OptionalParameter[0]);
            } catch (org.jsmpp.PDUStringException e) {
                throw new ProcessRequestException("bad message id " + id, SMPPConstant.STAT_ESME_RSYSERR);
            }
        }

        @Override
        public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("submit_multi is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("query_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("replace_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("cancel_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("broadcast_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("cancel_broadcast_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("query_broadcast_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
            throw new ProcessRequestException("data_sm is not offered", SMPPConstant.STAT_ESME_RINVCMDID);
        }
    }

    /** jsmpp's listener on a server socket bound to the loopback interface, never to the network. */
    private static final class LoopbackOnly implements ServerConnectionFactory {
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
