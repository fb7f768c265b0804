package io.atrium.plugins.erp;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * XML records: repeated elements, by default the children of the root element
 * ({@code <orders><order>...</order><order>...</order></orders>}), or every element named
 * {@code recordElement} wherever it is. A record's attributes and child elements are its fields;
 * nested elements give dotted names ({@code <customer><email>} gives {@code customer.email}), a
 * child element that repeats gives a list. Text is trimmed; empty text is absent. The encoding is
 * the one the XML declaration names. DTDs and external entities are refused (no XXE).
 */
final class XmlRecords implements RecordReader {

    private final String source;
    private final String recordElement;

    XmlRecords(String source, String recordElement) {
        this.source = source;
        this.recordElement = recordElement == null || recordElement.isBlank() ? null : recordElement.strip();
    }

    private static XMLInputFactory factory() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return f;
    }

    @Override
    public void read(InputStream in, String fileName, Sink sink) throws IOException {
        long n = 0;
        long line = 1;
        XMLStreamReader x = null;
        try {
            x = factory().createXMLStreamReader(in);
            int depth = 0;
            while (x.hasNext()) {
                int ev = x.next();
                line = x.getLocation().getLineNumber();
                if (ev == XMLStreamConstants.DTD) {
                    throw new XMLStreamException("a DOCTYPE is not allowed", x.getLocation());
                }
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    boolean isRecord = recordElement == null ? depth == 2 : x.getLocalName().equals(recordElement);
                    if (isRecord) {
                        n++;
                        Position pos = Position.fileRow(source, fileName, n, line);
                        Map<String, Object> fields = new LinkedHashMap<>();
                        readElement(x, "", fields);
                        depth--; // readElement consumed the end tag
                        sink.record(new Record(pos, fields));
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
            if (n == 0) {
                sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, line), (String) null,
                        recordElement == null ? "has no records: expected repeated elements under the root element"
                                : "has no <" + recordElement + "> elements (files.xml-record-element)"));
            }
        } catch (XMLStreamException e) {
            long at = e.getLocation() == null ? line : e.getLocation().getLineNumber();
            String m = e.getMessage() == null ? "" : e.getMessage().replaceFirst("(?s)^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message:\\s*", "");
            sink.fileProblem(new RecordProblem(Position.fileLine(source, fileName, at), (String) null,
                    "XML syntax error (" + m.strip() + "); the rest of the file was not read"));
        } finally {
            if (x != null) {
                try {
                    x.close();
                } catch (XMLStreamException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** Reads the element the reader is at (START_ELEMENT) into {@code out}, up to and including its end tag. */
    private static void readElement(XMLStreamReader x, String prefix, Map<String, Object> out) throws XMLStreamException {
        for (int i = 0; i < x.getAttributeCount(); i++) {
            put(out, prefix + x.getAttributeLocalName(i), empty(x.getAttributeValue(i)));
        }
        StringBuilder text = new StringBuilder();
        while (true) {
            int ev = x.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                String name = x.getLocalName();
                Map<String, Object> child = new LinkedHashMap<>();
                boolean hasChildren = readChild(x, child);
                if (hasChildren) {
                    child.forEach((k, v) -> put(out, prefix + name + "." + k, v));
                } else {
                    put(out, prefix + name, child.get(""));
                }
            } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                text.append(x.getText());
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                if (prefix.isEmpty() && !text.toString().isBlank() && out.isEmpty()) {
                    out.put("value", text.toString().strip());
                }
                return;
            }
        }
    }

    /**
     * Reads a child element; returns true when it has attributes or elements of its own (they go
     * into {@code out} under their names), else its text goes to {@code out} under "".
     */
    private static boolean readChild(XMLStreamReader x, Map<String, Object> out) throws XMLStreamException {
        boolean nested = x.getAttributeCount() > 0;
        for (int i = 0; i < x.getAttributeCount(); i++) {
            put(out, x.getAttributeLocalName(i), empty(x.getAttributeValue(i)));
        }
        StringBuilder text = new StringBuilder();
        while (true) {
            int ev = x.next();
            if (ev == XMLStreamConstants.START_ELEMENT) {
                nested = true;
                String name = x.getLocalName();
                Map<String, Object> child = new LinkedHashMap<>();
                if (readChild(x, child)) {
                    child.forEach((k, v) -> put(out, name + "." + k, v));
                } else {
                    put(out, name, child.get(""));
                }
            } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                text.append(x.getText());
            } else if (ev == XMLStreamConstants.END_ELEMENT) {
                String t = text.toString().strip();
                if (nested) {
                    if (!t.isEmpty()) {
                        put(out, "value", t);
                    }
                    return true;
                }
                out.put("", t.isEmpty() ? null : t);
                return false;
            }
        }
    }

    /** A name seen again becomes a list of its values. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> out, String name, Object value) {
        if (!out.containsKey(name)) {
            out.put(name, value);
            return;
        }
        Object existing = out.get(name);
        List<Object> list;
        if (existing instanceof RepeatedList) {
            list = (List<Object>) existing;
        } else {
            list = new RepeatedList();
            list.add(existing);
            out.put(name, list);
        }
        list.add(value);
    }

    private static String empty(String s) {
        String t = s == null ? "" : s.strip();
        return t.isEmpty() ? null : t;
    }

    /** Marks lists made here from repeated elements (so a repeated element adds to the list). */
    private static final class RepeatedList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }
}
