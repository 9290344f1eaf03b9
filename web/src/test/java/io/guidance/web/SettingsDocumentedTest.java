package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.config.Setting;
import io.guidance.pipeline.JobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table names exactly the keys the job and the web service declare: a
 * key added in code without a line in the table, or a line left for a key that is gone, fails here.
 */
class SettingsDocumentedTest {
    private static final Pattern KEY = Pattern.compile("`([a-z]+\\.[A-Za-z.]+)`");

    @Test
    void everyDeclaredKeyIsInTheReadmesTableAndNoOther() throws Exception {
        Set<String> declared = new TreeSet<>();
        WebSettings.KEYS.forEach(s -> declared.add(s.key()));

        Set<String> documented = new TreeSet<>();
        for (String row : configurationTable()) {
            // the first column names the keys of a row
            String keys = row.split("\\|")[1];
            Matcher m = KEY.matcher(keys);
            while (m.find()) {
                documented.add(m.group(1));
            }
        }

        assertThat(documented).isEqualTo(declared);
        assertThat(declared)
                .as("the service checks every key the job reads")
                .containsAll(JobConfig.KEYS.stream().map(Setting::key).toList());
    }

    /** The rows of the first table under the README's "## Configuration" heading. */
    private static List<String> configurationTable() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf("## Configuration");
        assertThat(start).as("README's Configuration section").isNotNegative();
        List<String> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("| `")) {
                inTable = true;
                rows.add(line);
            } else if (inTable && !line.startsWith("|")) {
                break;
            }
        }
        assertThat(rows).as("rows of the configuration table").isNotEmpty();
        return rows;
    }
}
