package dev.sdqueue.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void floatsAreWrittenLikePythonsRepr() {
        // Expected strings are Python's repr() of the same doubles.
        assertThat(Json.number(0.00085)).isEqualTo("0.00085");
        assertThat(Json.number(0.012)).isEqualTo("0.012");
        assertThat(Json.number(0.18215)).isEqualTo("0.18215");
        assertThat(Json.number(1.0)).isEqualTo("1.0");
        assertThat(Json.number(1e-05)).isEqualTo("1e-05");
        assertThat(Json.number(2.5e-7)).isEqualTo("2.5e-07");
        assertThat(Json.number(1e16)).isEqualTo("1e+16");
        assertThat(Json.number(-3.25)).isEqualTo("-3.25");
    }

    @Test
    void prettyOutputHasPythonsIndentLayoutAndParsesBack() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "quote \" backslash \\ tab \t ü");
        value.put("list", List.of(1, "two"));
        value.put("nulls", Arrays.asList(null, null));
        value.put("empty", List.of());
        value.put("flag", false);
        String text = Json.pretty(value);

        assertThat(text).isEqualTo("""
                {
                  "name": "quote \\" backslash \\\\ tab \\t ü",
                  "list": [
                    1,
                    "two"
                  ],
                  "nulls": [
                    null,
                    null
                  ],
                  "empty": [],
                  "flag": false
                }
                """);
        assertThat(new ObjectMapper().readValue(text, Map.class)).isEqualTo(value);
    }

    @Test
    void compactOutputUsesPythonsDefaultSeparators() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("a", 0);
        value.put("b</w>", 1);
        assertThat(Json.compact(value)).isEqualTo("{\"a\": 0, \"b</w>\": 1}");
    }
}
