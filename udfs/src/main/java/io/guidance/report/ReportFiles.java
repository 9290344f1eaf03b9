package io.guidance.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes {@code report.json} and {@code report.html} into a directory. */
public final class ReportFiles {
    public static final String JSON = "report.json";
    public static final String HTML = "report.html";

    private ReportFiles() {}

    public static void write(GuidanceReport report, Map<String, String> sources, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(JSON), ReportJson.toJson(report), StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve(HTML), ReportPage.html(report, sources), StandardCharsets.UTF_8);
    }
}
