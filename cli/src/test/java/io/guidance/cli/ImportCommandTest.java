package io.guidance.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {

    @TempDir Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ImportCommand.run(
                args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    }

    private String out() {
        return out.toString(UTF_8);
    }

    private String err() {
        return err.toString(UTF_8);
    }

    @Test
    void writesTaobaoEventsAsSortedJsonLines() throws IOException {
        Path in = dir.resolve("UserBehavior.csv");
        Files.writeString(
                in,
                "user_id,item_id,category_id,behavior_type,timestamp\n"
                        + "1,2268318,2520377,pv,1511544070\n"
                        + "1,2268318,2520377,cart,1511544010\n"
                        + "2,230380,411153,fav,1511544070\n"
                        + "2,230380,411153,buy,1511545870\n");
        Path dest = dir.resolve("events.jsonl");

        int code = run("taobao", in.toString(), "--out", dest.toString());

        assertThat(code).isZero();
        assertThat(err()).isEmpty();
        assertThat(Files.readString(dest))
                .isEqualTo(
                        ""
                                + "{\"eventId\":\"tb-3\",\"userId\":\"tb-1\",\"sessionId\":\"tb-1-1\",\"ts\":1511544010000,"
                                + "\"type\":\"add_to_cart\",\"page\":\"/item/2268318\",\"target\":\"#add-to-cart\","
                                + "\"props\":{\"item\":\"2268318\",\"category\":\"2520377\"}}\n"
                                + "{\"eventId\":\"tb-2\",\"userId\":\"tb-1\",\"sessionId\":\"tb-1-1\",\"ts\":1511544070000,"
                                + "\"type\":\"page_view\",\"page\":\"/item/2268318\","
                                + "\"props\":{\"item\":\"2268318\",\"category\":\"2520377\"}}\n"
                                + "{\"eventId\":\"tb-4\",\"userId\":\"tb-2\",\"sessionId\":\"tb-2-1\",\"ts\":1511544070000,"
                                + "\"type\":\"favorite\",\"page\":\"/item/230380\",\"target\":\"#favorite\","
                                + "\"props\":{\"item\":\"230380\",\"category\":\"411153\"}}\n"
                                + "{\"eventId\":\"tb-5\",\"userId\":\"tb-2\",\"sessionId\":\"tb-2-2\",\"ts\":1511545870000,"
                                + "\"type\":\"purchase\",\"page\":\"/checkout\","
                                + "\"props\":{\"item\":\"230380\",\"category\":\"411153\"}}\n");
        assertThat(out())
                .isEqualTo(
                        "imported 4 taobao events to "
                                + dest
                                + ": 2 users, 3 sessions, 2017-11-24T17:20:10Z .. 2017-11-24T17:51:10Z\n");
    }

    @Test
    void writesYoochooseEventsAsSortedJsonLines() throws IOException {
        Path in = dir.resolve("clicks.txt");
        Files.writeString(
                in,
                "SessionId\tItemId\tTime\n"
                        + "11\t214536502\t1396839069.277\n"
                        + "11\t214536506\t1396839070.5\n"
                        + "12\t214577561\t1396839060.01\n");
        Path dest = dir.resolve("out").resolve("events.jsonl");

        int code = run("yoochoose", "--out", dest.toString(), in.toString());

        assertThat(code).isZero();
        assertThat(Files.readString(dest))
                .isEqualTo(
                        ""
                                + "{\"eventId\":\"yc-4\",\"userId\":\"yc-12\",\"sessionId\":\"yc-12\",\"ts\":1396839060010,"
                                + "\"type\":\"page_view\",\"page\":\"/item/214577561\",\"props\":{\"item\":\"214577561\"}}\n"
                                + "{\"eventId\":\"yc-2\",\"userId\":\"yc-11\",\"sessionId\":\"yc-11\",\"ts\":1396839069277,"
                                + "\"type\":\"page_view\",\"page\":\"/item/214536502\",\"props\":{\"item\":\"214536502\"}}\n"
                                + "{\"eventId\":\"yc-3\",\"userId\":\"yc-11\",\"sessionId\":\"yc-11\",\"ts\":1396839070500,"
                                + "\"type\":\"page_view\",\"page\":\"/item/214536506\",\"props\":{\"item\":\"214536506\"}}\n");
        assertThat(out())
                .contains(
                        "imported 3 yoochoose events",
                        "2 users, 2 sessions",
                        "2014-04-07T02:51:00.010Z .. 2014-04-07T02:51:10.500Z");
    }

    @Test
    void wrongArgumentsPrintUsageAndReturnTwo() {
        String[][] cases = {
            {},
            {"taobao"},
            {"taobao", "in.csv"},
            {"taobao", "in.csv", "--out"},
            {"amazon", "in.csv", "--out", "x.jsonl"},
            {"taobao", "in.csv", "extra", "--out", "x.jsonl"},
            {"taobao", "in.csv", "--out", "x.jsonl", "--verbose"},
            {"taobao", "in.csv", "--out", "x.jsonl", "--out=y.jsonl"},
        };
        for (String[] args : cases) {
            out.reset();
            err.reset();
            assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err())
                    .as(String.join(" ", args))
                    .contains("usage: guidance import taobao|yoochoose|cdnow FILE --out FILE");
            assertThat(out()).isEmpty();
        }
    }

    @Test
    void missingInputPrintsOneLineAndReturnsOne() {
        Path dest = dir.resolve("events.jsonl");

        int code = run("taobao", dir.resolve("missing.csv").toString(), "--out", dest.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err())
                .isEqualTo("guidance import: " + dir.resolve("missing.csv") + ": no such file\n");
        assertThat(dest).doesNotExist();
    }

    @Test
    void malformedLinesAreSkippedCountedAndNamed() throws IOException {
        Path in = dir.resolve("clicks.txt");
        byte[] notUtf8 = {'2', '\t', '1', '1', '\t', '1', (byte) 0xC3, '\n'};
        try (var o = Files.newOutputStream(in)) {
            o.write(
                    ("SessionId\tItemId\tTime\n1\t10\t1396839069.277\n1\tabc\t1396839070.277\n")
                            .getBytes(StandardCharsets.UTF_8));
            o.write(notUtf8); // line 4: a cut-off multi-byte character
            o.write("3\t12\t1396839071.000\n".getBytes(StandardCharsets.UTF_8));
        }
        Path dest = dir.resolve("events.jsonl");

        int code = run("yoochoose", in.toString(), "--out", dest.toString());

        assertThat(code).isEqualTo(0);
        assertThat(err())
                .startsWith("guidance import: skipped 2 bad lines (lines 3, 4)\n")
                .contains(in + " line 3: ItemId must be a non-negative integer")
                .contains(in + " line 4: not valid UTF-8 text")
                .doesNotContain("\tat ");
        assertThat(Files.readAllLines(dest))
                .extracting(l -> l.substring(0, l.indexOf(',')))
                .containsExactly("{\"eventId\":\"yc-2\"", "{\"eventId\":\"yc-5\"");
        assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    }

    @Test
    void aFileWithoutOneGoodRowWritesNothing() throws IOException {
        Path in = dir.resolve("clicks.txt");
        Files.writeString(in, "1,2,3\n4,5,6\n");
        Path dest = dir.resolve("events.jsonl");

        int code = run("cdnow", in.toString(), "--out", dest.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err())
                .contains("skipped 2 bad lines (lines 1, 2)")
                .contains("no good row in " + in + ": is it a cdnow file?");
        assertThat(dest).doesNotExist();
    }
}
