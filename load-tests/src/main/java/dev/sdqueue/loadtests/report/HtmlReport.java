package dev.sdqueue.loadtests.report;

import java.util.List;

/** A one-file HTML page built section by section: headings, text, tables, inline SVG charts, links. */
public final class HtmlReport {
    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
        body.append("<h1>").append(SvgChart.escape(title)).append("</h1>\n");
    }

    public HtmlReport heading(String text) {
        body.append("<h2>").append(SvgChart.escape(text)).append("</h2>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(SvgChart.escape(text)).append("</p>\n");
        return this;
    }

    /** Monospaced, whitespace kept (e.g. a command line or the printed summary). */
    public HtmlReport pre(String text) {
        body.append("<pre>").append(SvgChart.escape(text)).append("</pre>\n");
        return this;
    }

    public HtmlReport link(String text, String href) {
        body.append("<p><a href=\"").append(SvgChart.escape(href)).append("\">").append(SvgChart.escape(text))
                .append("</a></p>\n");
        return this;
    }

    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table><tr>");
        header.forEach(cell -> body.append("<th>").append(SvgChart.escape(cell)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            row.forEach(cell -> body.append("<td>").append(SvgChart.escape(cell)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** An SVG made by {@link SvgChart}. */
    public HtmlReport chart(String svg) {
        body.append("<div class=\"chart\">").append(svg).append("</div>\n");
        return this;
    }

    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + SvgChart.escape(title)
                + "</title><style>body{font-family:sans-serif;max-width:920px;margin:1em auto;padding:0 1em}"
                + "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                + "text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}"
                + "pre{background:#f8f8f8;padding:.5em;overflow-x:auto}.chart{margin:1em 0}</style></head><body>\n"
                + body + "</body></html>\n";
    }
}
