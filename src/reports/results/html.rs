//! The report as one self-contained HTML file: inline CSS, inline SVG
//! charts, no script, nothing fetched, so it opens from a mail attachment
//! and prints to PDF from any browser. The feedback sheets use the same
//! page, table and chart.

use super::Report;
use super::view::{Cell, Chart, View, views};
use crate::domain::Lang;
use crate::domain::results::Band;
use crate::i18n::report::report_strings;
use crate::text::sanitize;
use std::fmt::Write as _;
use std::io::Write;

/// Text from data made safe for HTML: no control or bidi characters, and
/// `<`, `>`, `&`, quotes escaped.
pub fn esc(text: &str) -> String {
    let clean = sanitize(text, true, 10_000);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:13px;color:#222;margin:24px;}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px;border-bottom:1px solid #ccc}
.meta{color:#555;margin:0 0 12px}.note{color:#444;font-style:italic}.empty{font-size:15px;font-weight:bold}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#eef1f5;text-align:left}td.n{text-align:right;white-space:nowrap}
.good{background:#d8f0d8}.middling{background:#fbefc8}.poor{background:#f6d3d3}
.repeated{background:#f6d3d3;font-weight:bold}
svg{display:block;margin:8px 0}svg text{font-family:inherit;font-size:11px}
section{page-break-inside:avoid}.legend{color:#555;margin-top:24px}
@page{size:A4 landscape;margin:10mm}@media print{body{margin:0}h2{page-break-after:avoid}}
";

/// A whole page around `body`.
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        esc(title)
    )
}

fn band_class(band: Option<Band>) -> &'static str {
    match band {
        Some(Band::Good) => " good",
        Some(Band::Middling) => " middling",
        Some(Band::Poor) => " poor",
        None => "",
    }
}

/// A link to a file next to the page (`target` is a file name).
pub fn link(target: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(target), esc(text))
}

/// A view's table (its note above it).
pub fn table(report: &Report, view: &View) -> String {
    let mut html = String::new();
    if let Some(note) = &view.note {
        let _ = writeln!(html, "<p class=\"note\">{}</p>", esc(note));
    }
    if view.rows.is_empty() {
        return html;
    }
    html.push_str("<table>\n<thead><tr>");
    for c in &view.columns {
        let _ = write!(html, "<th>{}</th>", esc(c));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &view.rows {
        html.push_str("<tr>");
        for cell in row {
            let class = match cell {
                Cell::Text(_) | Cell::Link { .. } => String::new(),
                _ => format!("n{}", band_class(View::band(report, cell))),
            };
            let content = match cell {
                Cell::Link { text, target } => link(target, text),
                _ => esc(&cell.display()),
            };
            let _ = write!(html, "<td class=\"{}\">{content}</td>", class.trim());
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// A line chart: one series per `(name, values)`, one point per category;
/// a missing value breaks the line.
pub fn line_chart(
    title: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
    shares: bool,
) -> String {
    let (width, height, left, top, plot_w, plot_h) = (900.0, 260.0, 44.0, 24.0, 520.0, 190.0);
    let max = if shares { 1.0 } else { 100.0 };
    let x = |i: usize| {
        if categories.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (categories.len() - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n",
        esc(title)
    );
    let _ = writeln!(
        svg,
        "<text x=\"{left}\" y=\"14\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    for step in 0..=4 {
        let v = max * f64::from(step) / 4.0;
        let label = if shares {
            format!("{:.0}%", v * 100.0)
        } else {
            format!("{v:.0}")
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
            left + plot_w,
            left - 4.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    for (i, c) in categories.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(i),
            top + plot_h + 16.0,
            esc(c)
        );
    }
    for (n, (name, values)) in series.iter().enumerate() {
        let colour = COLOURS[n % COLOURS.len()];
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    let _ = writeln!(
                        svg,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = writeln!(
                svg,
                "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                path.trim_end()
            );
        }
        let ly = top + 14.0 * n as f64;
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>",
            left + plot_w + 16.0,
            ly,
            left + plot_w + 30.0,
            ly + 9.0,
            esc(&crate::text::one_line(name, 48))
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The chart of a trend view: its rows are the series.
fn view_chart(view: &View, chart: &Chart) -> String {
    let series: Vec<(String, Vec<Option<f64>>)> = view
        .rows
        .iter()
        .map(|row| {
            let name = row.first().map(Cell::display).unwrap_or_default();
            let values = row[1..]
                .iter()
                .map(|c| match c {
                    Cell::Percent(v) | Cell::Score(v) => *v,
                    _ => None,
                })
                .collect();
            (name, values)
        })
        .collect();
    line_chart(&chart.title, &view.columns[1..], &series, chart.shares)
}

/// The report's header lines: title, period, scope, rules.
pub fn header(report: &Report, title: &str) -> String {
    let t = report_strings(report.lang);
    let mut meta = format!("{}: {}", t.period, report.period_label());
    if let Some(team) = &report.team {
        let _ = write!(meta, " · {}: {team}", t.team);
    }
    if let Some(rep) = &report.rep {
        let _ = write!(meta, " · {}: {rep}", t.rep);
    }
    let _ = write!(
        meta,
        " · {} v{} · {} {}",
        t.rules,
        report.rules.version,
        t.generated,
        chrono::Local::now().format("%Y-%m-%d %H:%M")
    );
    format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
        esc(title),
        esc(&meta)
    )
}

pub fn legend(report: &Report) -> String {
    let t = report_strings(report.lang);
    let text = t
        .legend
        .replace("{good}", &report.rules.score.good_from.to_string())
        .replace("{poor}", &report.rules.score.poor_below.to_string());
    format!("<p class=\"legend\">{}</p>\n", esc(&text))
}

pub fn write(report: &Report, mut out: impl Write) -> anyhow::Result<()> {
    let t = report_strings(report.lang);
    let mut body = header(report, t.title);
    if report.is_empty() {
        let _ = writeln!(body, "<p class=\"empty\">{}</p>", esc(t.no_reviews));
    }
    for view in views(report) {
        let _ = writeln!(
            body,
            "<section id=\"{}\">\n<h2>{}</h2>",
            view.key,
            esc(&view.title)
        );
        if let Some(chart) = &view.chart
            && !view.rows.is_empty()
        {
            body.push_str(&view_chart(&view, chart));
        }
        body.push_str(&table(report, &view));
        body.push_str("</section>\n");
    }
    body.push_str(&legend(report));
    out.write_all(page(report.lang, t.title, &body).as_bytes())?;
    out.flush()?;
    Ok(())
}
