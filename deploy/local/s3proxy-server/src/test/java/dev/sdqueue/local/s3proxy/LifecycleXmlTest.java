package dev.sdqueue.local.s3proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.local.s3proxy.LifecycleRule.PrefixForm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleXmlTest {

    private static LifecycleConfiguration parse(String rules) {
        return LifecycleXml.parse(("<LifecycleConfiguration xmlns=\"" + LifecycleXml.NAMESPACE + "\">" + rules
                + "</LifecycleConfiguration>").getBytes(StandardCharsets.UTF_8));
    }

    private static String rule(String body) {
        return "<Rule>" + body + "</Rule>";
    }

    @Test
    void readsEveryPrefixFormAndWritesItBackInTheSameShape() {
        LifecycleConfiguration config = parse(
                rule("<ID>a</ID><Filter><Prefix>generations/</Prefix></Filter><Status>Enabled</Status>"
                        + "<Expiration><Days>7</Days></Expiration>")
                + rule("<ID>b</ID><Filter><And><Prefix>tmp/</Prefix></And></Filter><Status>Disabled</Status>"
                        + "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>false</ExpiredObjectDeleteMarker>"
                        + "</Expiration>")
                + rule("<ID>c</ID><Prefix>old/</Prefix><Status>Enabled</Status><Expiration><Days>30</Days></Expiration>")
                + rule("<ID>d</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>365</Days></Expiration>"));

        assertThat(config.rules()).containsExactly(
                new LifecycleRule("a", true, "generations/", PrefixForm.FILTER, 7),
                new LifecycleRule("b", false, "tmp/", PrefixForm.FILTER_AND, 1),
                new LifecycleRule("c", true, "old/", PrefixForm.RULE, 30),
                new LifecycleRule("d", true, "", PrefixForm.FILTER, 365));
        assertThat(LifecycleXml.parse(LifecycleXml.toXml(config).getBytes(StandardCharsets.UTF_8))).isEqualTo(config);
    }

    @Test
    void givesARuleWithoutIdOne() {
        LifecycleConfiguration config = parse(rule("<Filter><Prefix>x/</Prefix></Filter><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration>"));
        assertThat(config.rules().get(0).id()).isNotBlank();
    }

    @Test
    void escapesWhatItWrites() {
        LifecycleConfiguration config = new LifecycleConfiguration(
                List.of(new LifecycleRule("<&>\"", true, "a&b<c/", PrefixForm.FILTER, 2)));
        assertThat(LifecycleXml.parse(LifecycleXml.toXml(config).getBytes(StandardCharsets.UTF_8))).isEqualTo(config);
    }

    @Test
    void refusesWhatItDoesNotImplementWithNotImplemented() {
        String filter = "<Filter><Prefix>p/</Prefix></Filter><Status>Enabled</Status>";
        assertCode(rule(filter + "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>"),
                "NotImplemented", 501);
        assertCode(rule(filter + "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>"), "NotImplemented", 501);
        assertCode(rule(filter + "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays>"
                + "</NoncurrentVersionExpiration>"), "NotImplemented", 501);
        assertCode(rule(filter + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
                + "</AbortIncompleteMultipartUpload>"), "NotImplemented", 501);
        assertCode(rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>"
                + "<Expiration><Days>1</Days></Expiration>"), "NotImplemented", 501);
        assertCode(rule("<Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>"
                + "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration>"), "NotImplemented", 501);
        assertCode(rule(filter + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>"
                + "</Expiration>"), "NotImplemented", 501);
    }

    @Test
    void refusesInvalidConfigurationsAsS3Does() {
        String filter = "<Filter><Prefix>p/</Prefix></Filter>";
        String expire = "<Expiration><Days>1</Days></Expiration>";
        assertCode(rule(filter + "<Status>Enabled</Status><Expiration><Days>0</Days></Expiration>"),
                "InvalidArgument", 400);
        assertCode(rule(filter + "<Status>Enabled</Status><Expiration><Days>x</Days></Expiration>"),
                "InvalidArgument", 400);
        assertCode(rule(filter + "<Status>On</Status>" + expire), "MalformedXML", 400);
        assertCode(rule(filter + expire), "MalformedXML", 400);
        assertCode(rule("<Status>Enabled</Status>" + expire), "MalformedXML", 400);
        assertCode(rule(filter + "<Prefix>q</Prefix><Status>Enabled</Status>" + expire), "MalformedXML", 400);
        assertCode(rule("<Filter><And><Prefix>p/</Prefix><Prefix>q/</Prefix></And></Filter><Status>Enabled</Status>"
                + expire), "MalformedXML", 400);
        assertCode(rule(filter + "<Status>Enabled</Status>"), "InvalidRequest", 400);
        assertCode(rule("<ID>same</ID>" + filter + "<Status>Enabled</Status>" + expire)
                + rule("<ID>same</ID>" + filter + "<Status>Enabled</Status>" + expire), "InvalidArgument", 400);
        assertCode(rule(filter + "<Status>Enabled</Status><Bogus/>" + expire), "MalformedXML", 400);
        assertCode("", "MalformedXML", 400);
        assertThatThrownBy(() -> LifecycleXml.parse("<LifecycleConfiguration>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(S3Failure.class, f -> assertThat(f.code()).isEqualTo("MalformedXML"));
        assertThatThrownBy(() -> LifecycleXml.parse(("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<LifecycleConfiguration/>").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(S3Failure.class, f -> assertThat(f.code()).isEqualTo("MalformedXML"));
    }

    private static void assertCode(String rules, String code, int status) {
        assertThatThrownBy(() -> parse(rules)).isInstanceOfSatisfying(S3Failure.class, f -> {
            assertThat(f.code()).as(f.getMessage()).isEqualTo(code);
            assertThat(f.status()).isEqualTo(status);
        });
    }
}
