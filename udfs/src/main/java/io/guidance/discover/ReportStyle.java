package io.guidance.discover;

/**
 * The reports' inline style sheet: the discovery report's, whose page frame (type, headings, facts,
 * notes, tables) {@code io.guidance.report} reuses.
 */
public final class ReportStyle {
    private ReportStyle() {}

    public static final String CSS =
            """

            :root { color-scheme: light; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
              color: #1a1a1a; background: #ffffff; margin: 0 auto; padding: 24px 32px 40px;
              max-width: 1240px; }
            h1 { font-size: 26px; margin: 0 0 4px; }
            h2 { font-size: 19px; margin: 32px 0 6px; border-bottom: 1px solid #dddddd;
              padding-bottom: 4px; }
            .lede, .note { color: #555555; margin: 4px 0 10px; }
            dl.asked, dl.parameters { display: grid; grid-template-columns: repeat(auto-fit,
              minmax(160px, 1fr)); gap: 8px 16px; margin: 14px 0; }
            dl div.wide { grid-column: span 2; }
            dl div { background: #f5f5f5; border-radius: 6px; padding: 6px 10px; }
            dt { font-size: 12px; color: #666666; text-transform: uppercase; letter-spacing: .04em; }
            dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
            .verdict { font-size: 17px; background: #eef7ec; border-left: 5px solid #1b7837;
              padding: 10px 14px; margin: 16px 0 4px; overflow-wrap: anywhere; }
            .scroll { overflow-x: auto; }
            table.ranking { border-collapse: collapse; font-size: 13px; width: 100%; }
            table.ranking th, table.ranking td { padding: 4px 6px; text-align: right;
              border-bottom: 1px solid #e6e6e6; white-space: nowrap; }
            table.ranking th { background: #f0f0f0; font-weight: 600; white-space: normal;
              vertical-align: bottom; line-height: 1.2; }
            table.ranking .text { text-align: left; }
            table.ranking td.action { max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
            table.ranking td.phi { font-weight: 700; font-variant-numeric: tabular-nums; }
            table.ranking td { font-variant-numeric: tabular-nums; }
            table.ranking tr.flagged td { color: #7a7a7a; background: #fafafa; }
            .flag { color: #8a4b00; background: #fff1dc; border: 1px solid #e8b466;
              border-radius: 4px; padding: 0 5px; font-weight: 600; }
            .badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
              font-weight: 600; white-space: nowrap; }
            .badge.highly { background: #1b7837; color: #ffffff; }
            .badge.moderate { background: #5aae61; color: #0d2a12; }
            .badge.slight { background: #d9f0d3; color: #1b4d24; border: 1px solid #a6dba0; }
            .badge.none { background: #eeeeee; color: #555555; }
            table.ranking tr.flagged .badge { opacity: .75; }
            .legend { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px;
              margin: 8px 0 12px; color: #444444; font-size: 13px; }
            .legend .key { display: inline-flex; align-items: center; gap: 6px; }
            .maps { display: flex; flex-wrap: wrap; gap: 20px 36px; align-items: flex-start; }
            figure.map { margin: 0; max-width: 100%; overflow-x: auto; }
            figure.map figcaption { font-weight: 700; font-size: 15px; margin-bottom: 2px;
              overflow-wrap: anywhere; }
            svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
              font-size: 12px; }
            svg .tick { fill: #555555; font-size: 11px; }
            svg .axis { fill: #333333; font-size: 12px; font-weight: 600; }
            svg .missing { fill: #ffffff; stroke: #dddddd; }
            svg .cell rect:first-of-type { stroke: #ffffff; stroke-width: 1; }
            svg .best { fill: none; stroke: #000000; stroke-width: 3; }
            svg.defs { position: absolute; }
            svg .grid { stroke: #e3e3e3; }
            svg .label { font-weight: 600; fill: #1a1a1a; }
            svg .value { fill: #333333; font-size: 11px; }
            svg rect.above, .swatch.above { fill: #1b7837; background: #1b7837; }
            svg rect.below, .swatch.below { fill: #b8b8b8; background: #b8b8b8; }
            .keys { color: #444444; font-size: 13px; }
            .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px;
              margin: 0 4px 0 10px; border-radius: 2px; }
            #how-to-read ul { padding-left: 20px; max-width: 920px; }
            #how-to-read li { margin: 4px 0; }
            footer { margin-top: 28px; color: #444444; }
            footer dd { font-weight: 500; }
            code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
            """;
}
