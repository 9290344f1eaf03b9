package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) driven headless by Playwright, which downloads no
 * browser, with a throwaway profile that {@link #close()} deletes along with the browser.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Path EXECUTABLE = Path.of("/usr/bin/chromium");

    private final Playwright playwright;
    private final Path profile;
    private final BrowserContext browser;

    private HeadlessChromium(Playwright playwright, Path profile, BrowserContext browser) {
        this.playwright = playwright;
        this.profile = profile;
        this.browser = browser;
    }

    /** Fails the test with the package to install when Chromium is missing. */
    static void requireChromium() {
        assertThat(Files.isExecutable(EXECUTABLE))
                .as(
                        "%s is missing: the browser test needs Debian's chromium package (apt-get install chromium)",
                        EXECUTABLE)
                .isTrue();
    }

    /** Chromium with a window of the given size; offline apart from what a page asks for. */
    static HeadlessChromium launch(int width, int height) throws IOException {
        requireChromium();
        Playwright playwright =
                Playwright.create(
                        new Playwright.CreateOptions()
                                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        Path profile = null;
        try {
            profile = Files.createTempDirectory("guidance-chromium-");
            BrowserContext browser =
                    playwright
                            .chromium()
                            .launchPersistentContext(
                                    profile,
                                    new BrowserType.LaunchPersistentContextOptions()
                                            .setExecutablePath(EXECUTABLE)
                                            .setHeadless(true)
                                            .setViewportSize(width, height)
                                            .setArgs(
                                                    List.of(
                                                            "--no-sandbox",
                                                            "--disable-gpu",
                                                            "--disable-quic",
                                                            "--no-first-run",
                                                            "--disable-background-networking",
                                                            "--disable-component-update",
                                                            "--disable-sync")));
            return new HeadlessChromium(playwright, profile, browser);
        } catch (RuntimeException | IOException e) {
            playwright.close();
            deleteProfile(profile);
            throw e;
        }
    }

    Page newPage() {
        return browser.newPage();
    }

    @Override
    public void close() throws IOException {
        try {
            browser.close();
            playwright.close();
        } finally {
            deleteProfile(profile);
        }
    }

    private static void deleteProfile(Path profile) throws IOException {
        if (profile == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
