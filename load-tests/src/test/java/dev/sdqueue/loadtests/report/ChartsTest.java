package dev.sdqueue.loadtests.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class ChartsTest {
    @Test
    void mermaidChartHasTheCategoriesAndOneSeriesPerLineOrBar() {
        String text = MermaidChart.xy("Capacity \"sweep\"", "in flight", List.of("1", "64"), "accepted/s", List.of(
                new MermaidChart.Values(new double[] {102.14, 10827.1}, true),
                new MermaidChart.Values(new double[] {Double.NaN, 5.0}, false)));
        assertThat(text).startsWith("```mermaid\nxychart-beta\n").endsWith("```\n")
                .contains("title \"Capacity 'sweep'\"")
                .contains("x-axis \"in flight\" [\"1\", \"64\"]")
                .contains("y-axis \"accepted/s\" 0 --> 20000")
                .contains("bar [102.1, 10827.1]")
                .contains("line [0.0, 5.0]");
    }

    @Test
    void niceCeilingsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
        assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
        assertThat(SvgChart.niceCeiling(7)).isEqualTo(10);
        assertThat(SvgChart.niceCeiling(160.9)).isEqualTo(200);
        assertThat(SvgChart.niceCeiling(2100)).isEqualTo(2500);
        assertThat(SvgChart.niceCeiling(0.042)).isEqualTo(0.05);
    }

    @Test
    void svgChartsAreWellFormedXmlWithEveryPointPlotted() throws Exception {
        String line = SvgChart.xy("Latency <ms> & more", "s", "ms", List.of(
                Series.line("a", new double[] {0, 1, 2}, new double[] {5, Double.NaN, 7}),
                Series.points("b", new double[] {0, 1}, new double[] {1, 2})));
        Document doc = parse(line);
        assertThat(doc.getElementsByTagName("polyline").item(0).getAttributes().getNamedItem("points")
                .getNodeValue().split(" ")).as("NaN skipped").hasSize(2);
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(2);
        Document bars = parse(SvgChart.bars("h", "ms", "jobs", List.of("0", "10", "20"), new double[] {1, 0, 3}));
        assertThat(bars.getElementsByTagName("rect").getLength()).as("background + 3 bars").isEqualTo(4);
        String page = new HtmlReport("t <1>").paragraph("a & b").table(List.of("x"), List.of(List.of("<y>")))
                .chart(line).render();
        assertThat(page).contains("<h1>t &lt;1&gt;</h1>").contains("<p>a &amp; b</p>").contains("<td>&lt;y&gt;</td>")
                .contains("<svg");
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
