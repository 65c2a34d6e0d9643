package dev.sdqueue.local.s3proxy;

import dev.sdqueue.local.s3proxy.LifecycleRule.PrefixForm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The S3 {@code LifecycleConfiguration} document, restricted to what we implement: rules with {@code ID},
 * {@code Status}, {@code Filter/Prefix}, {@code Filter/And/Prefix} or the legacy rule-level {@code Prefix}, and
 * {@code Expiration/Days}. Every other action or filter element is refused with {@code NotImplemented}, so a
 * client never believes a rule is active that we would silently ignore.
 */
final class LifecycleXml {
    static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final int MAX_RULES = 1000; // S3's limit
    private static final int MAX_ID_LENGTH = 255;

    /** What a {@code <Filter>} selects: a key prefix ("" for all) and how it was written (kept for the echo). */
    private record Filter(String prefix, PrefixForm form) {
    }

    private LifecycleXml() {
    }

    static LifecycleConfiguration parse(byte[] xml) {
        Element root = parseDocument(xml);
        if (!"LifecycleConfiguration".equals(root.getLocalName())) {
            throw S3Failure.malformedXml("root element must be LifecycleConfiguration, was " + root.getLocalName());
        }
        List<LifecycleRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Element child : children(root)) {
            if (!"Rule".equals(child.getLocalName())) {
                throw S3Failure.malformedXml("unexpected element " + child.getLocalName() + " in LifecycleConfiguration");
            }
            LifecycleRule rule = parseRule(child);
            if (!ids.add(rule.id())) {
                throw S3Failure.invalidArgument("Rule ID must be unique. Found same ID for more than one rule: "
                        + rule.id());
            }
            rules.add(rule);
        }
        if (rules.isEmpty()) {
            throw S3Failure.malformedXml("a LifecycleConfiguration needs at least one Rule");
        }
        if (rules.size() > MAX_RULES) {
            throw S3Failure.invalidRequest("A lifecycle configuration can have at most " + MAX_RULES + " rules");
        }
        return new LifecycleConfiguration(rules);
    }

    private static LifecycleRule parseRule(Element rule) {
        String id = null;
        String status = null;
        String prefix = null;
        PrefixForm form = null;
        Integer days = null;
        for (Element e : children(rule)) {
            switch (e.getLocalName()) {
                case "ID" -> id = once(id, "ID", text(e));
                case "Status" -> status = once(status, "Status", text(e));
                case "Prefix", "Filter" -> {
                    if (form != null) {
                        throw S3Failure.malformedXml("a Rule has either one Filter or one Prefix");
                    }
                    if (e.getLocalName().equals("Prefix")) {
                        prefix = text(e);
                        form = PrefixForm.RULE;
                    } else {
                        Filter filter = parseFilter(e);
                        prefix = filter.prefix();
                        form = filter.form();
                    }
                }
                case "Expiration" -> days = once(days, "Expiration", parseExpiration(e));
                case "Transition", "NoncurrentVersionTransition" -> throw S3Failure.notImplemented(
                        e.getLocalName() + " is not supported by the local S3 server: it has a single storage class"
                                + " (only Expiration/Days is implemented)");
                case "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload", "DelMarkerExpiration" ->
                        throw S3Failure.notImplemented(e.getLocalName()
                                + " is not supported by the local S3 server (only Expiration/Days is implemented)");
                default -> throw S3Failure.malformedXml("unexpected element " + e.getLocalName() + " in Rule");
            }
        }
        if (status == null || !(status.equals("Enabled") || status.equals("Disabled"))) {
            throw S3Failure.malformedXml("Rule Status must be Enabled or Disabled, was " + status);
        }
        if (form == null) {
            throw S3Failure.malformedXml("a Rule needs a Filter (or the legacy Prefix)");
        }
        if (days == null) {
            throw S3Failure.invalidRequest("At least one action needs to be specified in a rule"
                    + " (the local S3 server implements Expiration/Days)");
        }
        if (id == null || id.isEmpty()) {
            id = UUID.randomUUID().toString(); // S3 assigns an ID to a rule sent without one
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw S3Failure.invalidArgument("ID length should not exceed allowed limit of " + MAX_ID_LENGTH);
        }
        return new LifecycleRule(id, status.equals("Enabled"), prefix, form, days);
    }

    /** {@code <Filter>}: empty, {@code <Prefix>}, or {@code <And>} holding only a {@code <Prefix>}. */
    private static Filter parseFilter(Element filter) {
        List<Element> parts = children(filter);
        if (parts.isEmpty()) {
            return new Filter("", PrefixForm.FILTER);
        }
        if (parts.size() > 1) {
            throw S3Failure.malformedXml("a Filter holds one of Prefix, Tag, ObjectSize* or And");
        }
        Element part = parts.get(0);
        switch (part.getLocalName()) {
            case "Prefix" -> {
                return new Filter(text(part), PrefixForm.FILTER);
            }
            case "And" -> {
                String prefix = null;
                for (Element e : children(part)) {
                    if (!e.getLocalName().equals("Prefix")) {
                        throw unsupportedFilter("And/" + e.getLocalName());
                    }
                    prefix = once(prefix, "Prefix", text(e));
                }
                return new Filter(prefix == null ? "" : prefix, PrefixForm.FILTER_AND);
            }
            default -> throw unsupportedFilter(part.getLocalName());
        }
    }

    private static S3Failure unsupportedFilter(String what) {
        return S3Failure.notImplemented("Filter " + what + " is not supported by the local S3 server"
                + " (only a key prefix is implemented)");
    }

    private static int parseExpiration(Element expiration) {
        Integer days = null;
        for (Element e : children(expiration)) {
            switch (e.getLocalName()) {
                case "Days" -> {
                    try {
                        days = once(days, "Days", Integer.parseInt(text(e)));
                    } catch (NumberFormatException nfe) {
                        days = 0;
                    }
                    if (days < 1) {
                        throw S3Failure.invalidArgument("'Days' for Expiration action must be a positive integer");
                    }
                }
                case "Date" -> throw S3Failure.notImplemented(
                        "Expiration/Date is not supported by the local S3 server (only Expiration/Days)");
                // MinIO's SDK writes these as false; only "true" asks for something we do not do.
                case "ExpiredObjectDeleteMarker", "ExpiredObjectAllVersions" -> {
                    if (Boolean.parseBoolean(text(e))) {
                        throw S3Failure.notImplemented("Expiration/" + e.getLocalName()
                                + " is not supported by the local S3 server (only Expiration/Days)");
                    }
                }
                default -> throw S3Failure.malformedXml("unexpected element " + e.getLocalName() + " in Expiration");
            }
        }
        if (days == null) {
            throw S3Failure.malformedXml("Expiration needs Days");
        }
        return days;
    }

    static String toXml(LifecycleConfiguration config) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LifecycleConfiguration xmlns=\"")
                .append(NAMESPACE).append("\">");
        for (LifecycleRule rule : config.rules()) {
            xml.append("<Rule><ID>").append(escape(rule.id())).append("</ID>");
            String prefix = "<Prefix>" + escape(rule.prefix()) + "</Prefix>";
            switch (rule.form()) {
                case FILTER -> xml.append("<Filter>").append(prefix).append("</Filter>");
                case FILTER_AND -> xml.append("<Filter><And>").append(prefix).append("</And></Filter>");
                case RULE -> xml.append(prefix);
            }
            xml.append("<Status>").append(rule.enabled() ? "Enabled" : "Disabled").append("</Status>")
                    .append("<Expiration><Days>").append(rule.days()).append("</Days></Expiration></Rule>");
        }
        return xml.append("</LifecycleConfiguration>\n").toString();
    }

    private static Element parseDocument(byte[] xml) {
        try {
            // The JDK's own parser, hardened: no DTDs, no external entities.
            DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // throws on fatal errors, prints nothing
            return builder.parse(new ByteArrayInputStream(xml)).getDocumentElement();
        } catch (SAXException e) {
            throw S3Failure.malformedXml(e.getMessage());
        } catch (ParserConfigurationException | IOException e) {
            throw new IllegalStateException("cannot parse XML", e);
        }
    }

    private static List<Element> children(Element parent) {
        List<Element> elements = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                elements.add((Element) n);
            } else if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
                throw S3Failure.malformedXml("unexpected text in " + parent.getLocalName());
            }
        }
        return elements;
    }

    private static String text(Element e) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                throw S3Failure.malformedXml("unexpected element " + n.getLocalName() + " in " + e.getLocalName());
            }
        }
        return e.getTextContent();
    }

    private static <T> T once(T current, String name, T value) {
        if (current != null) {
            throw S3Failure.malformedXml("more than one " + name);
        }
        return value;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
