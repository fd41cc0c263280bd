//! The self-contained HTML report of a run: the table and an inline SVG
//! chart of each path's latency percentiles (no script, no external file).

use std::fmt::Write as _;

use super::results::RunResults;

pub(crate) use stellaops_kit::html::{escape, markdown_to_html, page};

/// One horizontal bar group per path: p50, p95 and p99 on a log scale (the
/// tails are often ten times the median).
fn chart(results: &RunResults) -> String {
    const LABEL: f64 = 260.0;
    const WIDTH: f64 = 560.0;
    const ROW: f64 = 34.0;
    let height = ROW * results.paths.len() as f64 + 40.0;
    let max = results
        .paths
        .iter()
        .map(|p| p.p99_micros)
        .filter(|v| v.is_finite())
        .fold(10.0f64, f64::max);
    // From the decade below the fastest median to the slowest p99.
    let low = results
        .paths
        .iter()
        .map(|p| p.p50_micros)
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold(max, f64::min)
        .log10()
        .floor()
        .max(0.0);
    let high = max.log10().max(low + 1.0);
    let scale = |micros: f64| -> f64 {
        if !micros.is_finite() || micros <= 0.0 {
            return 0.0;
        }
        (WIDTH * (micros.log10() - low) / (high - low)).clamp(0.0, WIDTH)
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
         role=\"img\" aria-label=\"latency per path\" font-family=\"sans-serif\" font-size=\"12\">",
        LABEL + WIDTH + 80.0
    );
    for decade in (low as i32)..=(high.floor() as i32) {
        let x = LABEL + scale(10f64.powi(decade));
        if x > LABEL + WIDTH + 1.0 {
            break;
        }
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" fill=\"#666\" text-anchor=\"middle\">{} µs</text>",
            height - 24.0,
            height - 8.0,
            10u64.pow(decade as u32)
        );
    }
    for (i, p) in results.paths.iter().enumerate() {
        let y = ROW * i as f64 + 4.0;
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 8.0,
            y + 17.0,
            escape(&p.path)
        );
        for (value, color, dy, name) in [
            (p.p99_micros, "#f4b6b6", 0.0, "p99"),
            (p.p95_micros, "#f2d291", 8.0, "p95"),
            (p.p50_micros, "#5b8fd6", 16.0, "p50"),
        ] {
            let _ = write!(
                svg,
                "<rect x=\"{LABEL}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" fill=\"{color}\">\
                 <title>{} {name} {value:.0} µs</title></rect>",
                y + dy,
                scale(value),
                escape(&p.path)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#333\">p50 {:.0} µs</text>",
            LABEL + scale(p.p99_micros) + 6.0,
            y + 23.0,
            p.p50_micros
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The whole page.
pub fn render(results: &RunResults) -> String {
    let mut rows = String::new();
    for p in &results.paths {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td>\
             <td>{:.0}</td><td>{:.0}</td></tr>",
            escape(&p.path),
            p.operations,
            p.errors,
            p.p50_micros,
            p.p95_micros,
            p.p99_micros,
            p.max_micros,
            p.throughput
        );
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Load run {started}</title><style>\
         body{{font-family:sans-serif;margin:2em;color:#222}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}\
         .legend span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 14px}}\
         </style></head><body>\
         <h1>Load run {started}</h1>\
         <p>revision <code>{revision}</code>, {server}, dataset <code>{dataset}</code> \
         ({tenants} tenants, {users} users, {tokens} tokens, {schedules} schedules, {runs} runs), \
         {per_users} users &times; {iterations} iterations per path ({workers} claim workers){knob}.</p>\
         <h2>Latency per path</h2>\
         <p class=\"legend\">log scale:<span style=\"background:#5b8fd6\"></span>p50\
         <span style=\"background:#f2d291\"></span>p95<span style=\"background:#f4b6b6\"></span>p99</p>\
         {chart}\
         <h2>Figures</h2><table><tr><th>path</th><th>ops</th><th>errors</th><th>p50 µs</th>\
         <th>p95 µs</th><th>p99 µs</th><th>max µs</th><th>ops/s</th></tr>{rows}</table>\
         <p>Times are taken by the scenarios around each repository call, in microseconds; \
         one run on a shared machine is a snapshot, not a verdict: compare builds with the gate.</p>\
         </body></html>\n",
        started = escape(&results.started_at),
        revision = escape(&results.revision),
        server = escape(&results.server),
        dataset = escape(&results.dataset),
        tenants = results.volume.tenants,
        users = results.volume.users(),
        tokens = results.volume.tokens(),
        schedules = results.volume.schedules(),
        runs = results.volume.runs(),
        per_users = results.size.users,
        iterations = results.size.iterations,
        workers = results.size.claim_workers,
        knob = match &results.slowdown {
            Some(knob) => format!(", slowdown knob <code>{}</code>", escape(knob)),
            None => String::new(),
        },
        chart = chart(results),
    )
}
