//! The gate's HTML report for people: the verdict table, the ratio of each
//! path with its interval, the per-round points of both sides, the
//! canary's spread, the work measure and any plan that changed. One file,
//! inline SVG, no script.

use std::fmt::Write as _;

use super::Verdict;
use super::report::{GateReport, short};
use crate::load::html::escape;

const BASE_COLOR: &str = "#3b6fb6";
const CANDIDATE_COLOR: &str = "#e07b18";

fn verdict_color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "#2e8b57",
        Verdict::Regression => "#c62828",
        Verdict::Noisy => "#c99700",
    }
}

/// Each path's median ratio as a dot on its interval, with lines at "no
/// change" and at the threshold.
fn ratio_chart(report: &GateReport) -> String {
    const LABEL: f64 = 250.0;
    const WIDTH: f64 = 520.0;
    const ROW: f64 = 26.0;
    let finite = |v: f64| v.is_finite().then_some(v);
    let lo = report
        .verdicts
        .iter()
        .filter_map(|v| finite(v.decision.lower))
        .fold(0.85f64, f64::min)
        .max(0.3);
    let hi = report
        .verdicts
        .iter()
        .filter_map(|v| finite(v.decision.upper))
        .fold(report.settings.threshold + 0.15, f64::max)
        .min(4.0);
    let x = |ratio: f64| LABEL + WIDTH * ((ratio.clamp(lo, hi) - lo) / (hi - lo));
    let height = ROW * report.verdicts.len() as f64 + 36.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" \
         aria-label=\"ratio per path\" font-family=\"sans-serif\" font-size=\"12\">",
        LABEL + WIDTH + 40.0
    );
    for (ratio, color, dash, label) in [
        (1.0, "#888", "", "1.00 no change".to_owned()),
        (
            report.settings.threshold,
            "#c62828",
            " stroke-dasharray=\"4 3\"",
            format!("{:.2} threshold", report.settings.threshold),
        ),
    ] {
        let _ = write!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"0\" x2=\"{0:.1}\" y2=\"{1:.1}\" stroke=\"{color}\"{dash}/>\
             <text x=\"{0:.1}\" y=\"{2:.1}\" fill=\"{color}\" text-anchor=\"middle\">{label}</text>",
            x(ratio),
            height - 28.0,
            height - 12.0
        );
    }
    for (i, v) in report.verdicts.iter().enumerate() {
        let y = ROW * i as f64 + 14.0;
        let d = &v.decision;
        let color = verdict_color(d.verdict);
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 8.0,
            y + 4.0,
            escape(&v.path)
        );
        if d.lower.is_finite() {
            let _ = write!(
                svg,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"3\"/>",
                x(d.lower),
                x(d.upper)
            );
        }
        if d.median.is_finite() {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{color}\"><title>{} median {:.3}, interval {:.3}–{:.3}: {}</title></circle>",
                x(d.median),
                escape(&v.path),
                d.median,
                d.lower,
                d.upper,
                d.verdict.name()
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A small chart of values per round for two series, with disturbed
/// rounds shaded.
fn round_points(
    title: &str,
    unit: &str,
    base: &[(usize, f64)],
    candidate: &[(usize, f64)],
    rounds: usize,
    disturbed: &[usize],
) -> String {
    const W: f64 = 340.0;
    const H: f64 = 150.0;
    const LEFT: f64 = 58.0;
    const TOP: f64 = 22.0;
    const BOTTOM: f64 = 22.0;
    let values: Vec<f64> = base
        .iter()
        .chain(candidate)
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .collect();
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.01).max(1e-9);
    let (lo, hi) = (lo - pad, hi + pad);
    let plot_w = W - LEFT - 10.0;
    let plot_h = H - TOP - BOTTOM;
    let x = |round: usize| LEFT + plot_w * (round as f64 - 0.5) / rounds.max(1) as f64;
    let y = |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" role=\"img\" \
         aria-label=\"{t}\" font-family=\"sans-serif\" font-size=\"11\">\
         <text x=\"{LEFT}\" y=\"14\" font-weight=\"bold\">{t}</text>\
         <rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" stroke=\"#ccc\"/>",
        t = escape(title)
    );
    for round in disturbed {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{plot_h}\" fill=\"#eee\"><title>round {round}: canary moved</title></rect>",
            x(*round) - plot_w / rounds.max(1) as f64 / 2.0,
            plot_w / rounds.max(1) as f64
        );
    }
    for (value, anchor_y) in [(hi - pad, y(hi - pad)), (lo + pad, y(lo + pad))] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#666\">{value:.0}{unit}</text>",
            LEFT - 4.0,
            anchor_y + 4.0
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#666\" text-anchor=\"middle\">round</text>",
        LEFT + plot_w / 2.0,
        H - 6.0
    );
    for (round, v) in base {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{BASE_COLOR}\"><title>round {round} base {v:.0}{unit}</title></circle>",
            x(*round),
            y(*v)
        );
    }
    for (round, v) in candidate {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"7\" fill=\"{CANDIDATE_COLOR}\"><title>round {round} candidate {v:.0}{unit}</title></rect>",
            x(*round) - 3.5,
            y(*v) - 3.5
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The whole page.
pub fn render(report: &GateReport) -> String {
    let disturbed: Vec<usize> = report
        .canary
        .rounds
        .iter()
        .filter(|r| r.disturbed)
        .map(|r| r.round)
        .collect();
    let rounds = report.rounds.len();
    let base = &report.base.name;
    let candidate = &report.candidate.name;
    let series = |side: &str, path: &str| -> Vec<(usize, f64)> {
        report
            .rounds
            .iter()
            .filter_map(|r| Some((r.index, r.side(side)?.path(path)?.p50_micros)))
            .collect()
    };
    let mut points = String::new();
    for v in &report.verdicts {
        points.push_str(&round_points(
            &format!("{} · {}", v.path, v.decision.verdict.name()),
            " µs",
            &series(base, &v.path),
            &series(candidate, &v.path),
            rounds,
            &disturbed,
        ));
    }
    let canary = match &report.canary.unavailable {
        Some(reason) => format!("<p>The canary was unavailable: {}.</p>", escape(reason)),
        None => format!(
            "{}<p>{:.0}–{:.0} tps over all side-rounds (spread {:.1}%); {} of {} rounds moved more than {:.0}% between the sides{}.</p>",
            round_points(
                "pgbench select-only before each side",
                "",
                &report
                    .canary
                    .rounds
                    .iter()
                    .map(|r| (r.round, r.base_tps))
                    .collect::<Vec<_>>(),
                &report
                    .canary
                    .rounds
                    .iter()
                    .map(|r| (r.round, r.candidate_tps))
                    .collect::<Vec<_>>(),
                rounds,
                &disturbed,
            ),
            report.canary.min_tps,
            report.canary.max_tps,
            (report.canary.max_tps / report.canary.min_tps - 1.0) * 100.0,
            report.canary.disturbed,
            report.canary.rounds.len(),
            report.settings.canary_tolerance * 100.0,
            if report.canary.too_noisy {
                ": too many, every verdict is noisy"
            } else {
                " (those rounds are shaded and left out)"
            }
        ),
    };
    let mut table = String::new();
    for v in &report.verdicts {
        let d = &v.decision;
        let work = match &v.work {
            Some(w) => format!(
                "{:.1} → {:.1} buffers, {:.1} → {:.1} rows, {:.1} → {:.1} statements per operation{}",
                w.base_buffers,
                w.candidate_buffers,
                w.base_rows,
                w.candidate_rows,
                w.base_statements,
                w.candidate_statements,
                if w.grew { " <b>grew</b>" } else { "" }
            ),
            None => "n/a".into(),
        };
        let _ = write!(
            table,
            "<tr><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td style=\"color:{}\"><b>{}</b> {}</td></tr>",
            escape(&v.path),
            v.base_micros,
            v.candidate_micros,
            d.median,
            if d.lower.is_finite() {
                format!("{:.3}–{:.3}", d.lower, d.upper)
            } else {
                "—".into()
            },
            d.rounds_text(),
            work,
            match v.plan_changed() {
                Some(true) => "<b>yes</b>",
                Some(false) => "no",
                None => "n/a",
            },
            verdict_color(d.verdict),
            d.verdict.name(),
            escape(&d.reason)
        );
    }
    let mut plans = String::new();
    for v in &report.verdicts {
        for diff in v.plan_diffs.iter().flatten() {
            let _ = write!(
                plans,
                "<details><summary>{} — <code>{}</code></summary><div class=\"plans\">\
                 <div><h4>base</h4><pre>{}</pre></div><div><h4>candidate</h4><pre>{}</pre></div></div></details>",
                escape(&v.path),
                escape(&diff.statement),
                escape(diff.base.as_deref().unwrap_or("(not run)")),
                escape(diff.candidate.as_deref().unwrap_or("(not run)"))
            );
        }
    }
    if plans.is_empty() {
        plans = "<p>No plan changed.</p>".into();
    }
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Performance gate: {overall}</title><style>\
         body{{font-family:sans-serif;margin:2em;color:#222;max-width:1200px}}\
         table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right;font-size:13px}}\
         td:first-child,th:first-child,td:last-child{{text-align:left}}\
         .grid{{display:flex;flex-wrap:wrap;gap:8px}}\
         .plans{{display:flex;gap:16px}} pre{{background:#f6f6f6;padding:8px}}\
         .key span{{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}}\
         </style></head><body>\
         <h1>Performance gate: <span style=\"color:{color}\">{overall}</span></h1>\
         <p>base <code>{base_rev}</code> ({base_ref}) vs candidate <code>{cand_rev}</code> ({cand_ref}); \
         {rounds} rounds, sides in random order each round (seed {seed}); {users} users &times; {iterations} \
         iterations per path; {server}; {minutes:.1} min.</p>\
         <h2>Verdicts</h2><table><tr><th>path</th><th>base p50 µs</th><th>candidate p50 µs</th>\
         <th>ratio</th><th>interval</th><th>rounds</th><th>work per operation</th><th>plan changed</th>\
         <th>verdict</th></tr>{table}</table>\
         <h2>Ratio and interval per path</h2>\
         <p>Median of the per-round ratios (candidate over base) with its interval at {confidence}% \
         for all paths together.</p>{ratio}\
         <h2>Per-round medians</h2><p class=\"key\"><span style=\"background:{BASE_COLOR}\"></span>base\
         <span style=\"background:{CANDIDATE_COLOR}\"></span>candidate</p><div class=\"grid\">{points}</div>\
         <h2>Noise canary</h2>{canary}\
         <h2>Plans</h2>{work_note}{plans}\
         </body></html>\n",
        overall = report.overall.name(),
        color = verdict_color(report.overall),
        base_rev = short(&report.base.rev),
        base_ref = escape(&report.base.reference),
        cand_rev = short(&report.candidate.rev),
        cand_ref = escape(&report.candidate.reference),
        seed = report.seed,
        users = report.size.users,
        iterations = report.size.iterations,
        server = escape(&report.server),
        minutes = report.minutes,
        confidence = report.settings.confidence * 100.0,
        ratio = ratio_chart(report),
        work_note = match &report.work_unavailable {
            Some(reason) => format!(
                "<p>Work measure and plans unavailable: {}.</p>",
                escape(reason)
            ),
            None => String::new(),
        },
    )
}
