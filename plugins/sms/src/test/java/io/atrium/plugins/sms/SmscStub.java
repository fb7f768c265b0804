package io.atrium.plugins.sms;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * A small SMSC on a loopback port, built on jsmpp's server side: it checks the bind's system_id and
 * password, answers submit_sm with message ids {@code 5A000001}, ... (or with an error status it was told
 * to), and sends delivery receipts and MO messages on the newest receiver (or transceiver) session.
 */
final class SmscStub implements AutoCloseable {

    private final String systemId;
    private final String password;
    private final SMPPServerSessionListener listener;
    private final int port;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smsc-stub");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger ids = new AtomicInteger(0x5A000000);
    private final Queue<Integer> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    /** Every submit_sm that was answered with a message id. */
    final List<SubmitSm> submits = new CopyOnWriteArrayList<>();
    /** Bind types accepted, in order. */
    final List<BindType> binds = new CopyOnWriteArrayList<>();
    /** Binds refused for a wrong system_id or password. */
    final AtomicInteger refused = new AtomicInteger();
    private final List<SMPPServerSession> receivers = new CopyOnWriteArrayList<>();
    private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();

    SmscStub(String systemId, String password) throws IOException {
        this(0, systemId, password);
    }

    /** On {@code port} (0: a free one). */
    SmscStub(int port, String systemId, String password) throws IOException {
        this.systemId = systemId;
        this.password = password;
        Loopback factory = new Loopback();
        this.listener = new SMPPServerSessionListener(port, factory);
        this.port = factory.socket.getLocalPort();
        listener.setMessageReceiverListener(new Receiver());
        pool.execute(this::acceptLoop);
    }

    int port() {
        return port;
    }

    /** The next submit_sm is answered with this command_status. */
    void failNextSubmit(int commandStatus) {
        failures.add(commandStatus);
    }

    boolean hasReceiver() {
        return receivers.stream().anyMatch(s -> s.getSessionState().isReceivable());
    }

    /** Sends {@code id:<id> sub:001 dlvrd:.. submit date:.. done date:.. stat:<stat> err:<err> text:...} as a receipt. */
    void receipt(SubmitSm of, String id, String stat, String err) throws Exception {
        String dlvrd = stat.equals("DELIVRD") ? "001" : "000";
        String text = "id:" + id + " sub:001 dlvrd:" + dlvrd + " submit date:2511241530 done date:2511241531 stat:" + stat
                + " err:" + err + " text:" + new String(of.getShortMessage(), StandardCharsets.ISO_8859_1).substring(0,
                Math.min(20, of.getShortMessage().length));
        receiptText(of.getDestAddress(), of.getSourceAddr(), text);
    }

    /** A receipt with this exact text. */
    void receiptText(String recipient, String sender, String text) throws Exception {
        receiver().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, recipient,
                TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, sender,
                new ESMClass(MessageMode.DEFAULT, MessageType.SMSC_DEL_RECEIPT, GSMSpecificFeature.DEFAULT),
                (byte) 0, (byte) 0, new RegisteredDelivery(0), DataCodings.ZERO,
                text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A message a person sent: from an international number to our short code. */
    void mo(String fromDigits, String to, String text, boolean ucs2) throws Exception {
        DataCoding coding = ucs2 ? DataCodings.newInstance((byte) 0x08) : DataCodings.ZERO;
        receiver().deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, fromDigits,
                TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, to, new ESMClass(), (byte) 0, (byte) 0,
                new RegisteredDelivery(0), coding,
                text.getBytes(ucs2 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1));
    }

    private SMPPServerSession receiver() {
        for (int i = receivers.size() - 1; i >= 0; i--) {
            SMPPServerSession s = receivers.get(i);
            if (s.getSessionState().isReceivable()) {
                return s;
            }
        }
        throw new IllegalStateException("no receiver session is bound to the stub SMSC");
    }

    /** The text of a submit_sm, by its data_coding. */
    static String text(SubmitSm sm) {
        return new String(sm.getShortMessage(), sm.getDataCoding() == 0x08 ? StandardCharsets.UTF_16BE
                : StandardCharsets.ISO_8859_1);
    }

    private void acceptLoop() {
        while (running) {
            try {
                SMPPServerSession session = listener.accept();
                pool.execute(() -> bind(session));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void bind(SMPPServerSession session) {
        try {
            BindRequest request = session.waitForBind(5000);
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

    /** Closes every session, as an SMSC restart would; the listener stays. */
    void dropSessions() {
        for (SMPPServerSession s : sessions) {
            s.close();
        }
        sessions.clear();
        receivers.clear();
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (SMPPServerSession s : sessions) {
            s.close();
        }
        listener.close();
        pool.shutdownNow();
    }

    private final class Receiver implements ServerMessageReceiverListener {

        @Override
        public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source) throws ProcessRequestException {
            Integer failure = failures.poll();
            if (failure != null) {
                throw new ProcessRequestException("told to refuse", failure);
            }
            try {
                MessageId id = new MessageId(Integer.toHexString(ids.incrementAndGet()).toUpperCase());
                submits.add(submitSm);
                return new SubmitSmResult(id, new OptionalParameter[0]);
            } catch (Exception e) {
                throw new ProcessRequestException("no id", SMPPConstant.STAT_ESME_RSYSERR);
            }
        }

        @Override
        public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm, SMPPServerSession source)
                throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }

        @Override
        public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
            throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
        }
    }

    /** Listens on the loopback interface only. */
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
