package io.atrium.plugins.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small SMTP server on a loopback port that answers MAIL FROM, RCPT TO and the end of DATA with
 * the replies a test sets, the way real servers refuse mail (550 5.1.1, 554 5.7.1, 451 4.3.0...).
 * GreenMail accepts everything, so the refusals are played here. A reply of {@link #SILENT} is
 * never sent (the client times out); {@link #HANG_UP} closes the connection instead of replying.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    static final String SILENT = "<silent>";
    static final String HANG_UP = "<hang up>";

    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    volatile String greeting = "220 stub.test ESMTP";
    volatile String mailReply = "250 2.1.0 Ok";
    volatile String rcptReply = "250 2.1.5 Ok";
    volatile String dataReply = "250 2.0.0 Ok: queued as 4F2A1";

    ScriptedSmtpServer() throws IOException {
        socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The commands the client sent, in order (DATA's content left out). */
    List<String> commands() {
        return commands;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                serve(client);
            } catch (IOException e) {
                // closed, or the client went away: wait for the next one
            }
        }
    }

    private void serve(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = client.getOutputStream();
        reply(out, greeting);
        if (!greeting.startsWith("2")) {
            return;
        }
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            switch (verb) {
                case "EHLO" -> reply(out, "250-stub.test\r\n250-8BITMIME\r\n250 SIZE 10240000");
                case "HELO", "RSET", "NOOP" -> reply(out, "250 Ok");
                case "MAIL" -> {
                    if (!reply(out, mailReply)) {
                        return;
                    }
                }
                case "RCPT" -> {
                    if (!reply(out, rcptReply)) {
                        return;
                    }
                }
                case "DATA" -> {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String data;
                    while ((data = in.readLine()) != null && !data.equals(".")) {
                        // the message itself is of no interest here
                    }
                    if (!reply(out, dataReply)) {
                        return;
                    }
                }
                case "QUIT" -> {
                    reply(out, "221 2.0.0 Bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 Command not recognized");
            }
        }
    }

    /** Sends {@code text}; false if the connection is to be closed instead. */
    private static boolean reply(OutputStream out, String text) throws IOException {
        if (HANG_UP.equals(text)) {
            return false;
        }
        if (!SILENT.equals(text)) {
            out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join(5000);
    }
}
