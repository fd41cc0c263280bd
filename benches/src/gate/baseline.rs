//! Saved baselines for reviews: a run's results with the fingerprint of
//! where it ran, under `baselines/<name>/`, to be committed; and the
//! comparison of two of them, put on one scale by their canaries and
//! plainly marked as less trustworthy than the gate.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::GateError;
use super::report::write_atomically;
use crate::load::RunResults;

/// Where baselines live, relative to the checkout.
pub const BASELINES: &str = "baselines";

/// A baseline's name: letters, digits, `.`, `-` and `_`, not starting with a dot.
pub fn check_name(name: &str) -> Result<(), GateError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(GateError::Invalid {
            field: "baseline name",
            reason: format!("{name:?}: use 1 to 64 letters, digits, '.', '-' or '_'"),
        })
    }
}

/// Stores `results` as baseline `name` under `root/baselines/`; refuses
/// results without a fingerprint and an existing name unless `replace`.
pub fn save(
    root: &Path,
    name: &str,
    results: &RunResults,
    replace: bool,
) -> Result<PathBuf, GateError> {
    check_name(name)?;
    if results.environment.is_none() {
        return Err(GateError::Invalid {
            field: "baseline",
            reason: "these results carry no environment fingerprint (made by an older build?); save a fresh run: `baseline save <name>` without --from".into(),
        });
    }
    let dir = root.join(BASELINES).join(name);
    if dir.join("results.json").exists() && !replace {
        return Err(GateError::Invalid {
            field: "baseline name",
            reason: format!(
                "{name:?} exists ({}); pass --replace to overwrite it",
                dir.display()
            ),
        });
    }
    let saved = results.save(&dir)?;
    Ok(saved.json)
}

/// A baseline by name (under `root/baselines/`) or by the path of a
/// results file.
pub fn load(root: &Path, name_or_file: &str) -> Result<RunResults, GateError> {
    let as_file = Path::new(name_or_file);
    let file = if as_file.is_file() {
        as_file.to_path_buf()
    } else {
        check_name(name_or_file)?;
        let file = root.join(BASELINES).join(name_or_file).join("results.json");
        if !file.is_file() {
            return Err(GateError::File {
                what: "finding baseline",
                file: file.display().to_string(),
                reason: "no such baseline (save one with `baseline save <name>`)".into(),
            });
        }
        file
    };
    Ok(RunResults::load(&file)?)
}

/// The comparison of baseline `b` against baseline `a`, as Markdown.
pub fn compare_markdown(a_name: &str, a: &RunResults, b_name: &str, b: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Saved runs compared: `{b_name}` against `{a_name}`\n\n\
         > **Less trustworthy than the gate.** These are two runs made at different times, perhaps on different machines: \
         nothing cancels the drift between them, and there is no interval. The canary puts them on one scale roughly. \
         Use `stellaops-load gate --base <ref>` to decide.\n"
    );
    let (fa, fb) = (a.environment.as_ref(), b.environment.as_ref());
    match (fa, fb) {
        (Some(fa), Some(fb)) => {
            let differences = fa.differences(fb);
            if differences.is_empty() {
                let _ = writeln!(
                    out,
                    "Environments match (cpu, cores, server, settings, dataset).\n"
                );
            } else {
                let _ = writeln!(out, "**Warning: the environments differ:**\n");
                for d in differences {
                    let _ = writeln!(out, "- {d}");
                }
                let _ = writeln!(out);
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "**Warning:** one of the runs has no environment fingerprint.\n"
            );
        }
    }
    let scale = canary_scale(a, b);
    match scale {
        Some(s) => {
            let _ = writeln!(
                out,
                "Canary: `{a_name}` {:.0} tps, `{b_name}` {:.0} tps; scaled ratios multiply by {s:.3}.\n",
                canary(a).unwrap_or(f64::NAN),
                canary(b).unwrap_or(f64::NAN)
            );
        }
        None => {
            let _ = writeln!(out, "Canary: missing on one side; ratios are not scaled.\n");
        }
    }
    out.push_str(&format!(
        "| path | {a_name} p50 µs | {b_name} p50 µs | ratio | canary-scaled ratio | {a_name} p95 µs | {b_name} p95 µs |\n\
         |---|---:|---:|---:|---:|---:|---:|\n"
    ));
    for pa in &a.paths {
        let Some(pb) = b.paths.iter().find(|p| p.path == pa.path) else {
            let _ = writeln!(
                out,
                "| `{}` | {:.0} | — | — | — | {:.0} | — |",
                pa.path, pa.p50_micros, pa.p95_micros
            );
            continue;
        };
        let ratio = pb.p50_micros / pa.p50_micros;
        let _ = writeln!(
            out,
            "| `{}` | {:.0} | {:.0} | {:.3} | {} | {:.0} | {:.0} |",
            pa.path,
            pa.p50_micros,
            pb.p50_micros,
            ratio,
            scale.map_or("—".into(), |s| format!("{:.3}", ratio * s)),
            pa.p95_micros,
            pb.p95_micros
        );
    }
    out
}

/// The comparison as a self-contained HTML page.
pub fn compare_html(markdown: &str) -> String {
    crate::load::html::page(
        "Saved runs compared",
        &crate::load::html::markdown_to_html(markdown),
    )
}

/// Writes `compare.md` and `compare.html` into `dir`.
pub fn write_compare(dir: &Path, markdown: &str) -> Result<PathBuf, GateError> {
    std::fs::create_dir_all(dir).map_err(GateError::io("creating", dir))?;
    write_atomically(&dir.join("compare.md"), markdown)?;
    let html = dir.join("compare.html");
    write_atomically(&html, &compare_html(markdown))?;
    Ok(html)
}

fn canary(results: &RunResults) -> Option<f64> {
    results.environment.as_ref()?.canary_tps
}

/// b's canary over a's: times measured on b's machine, times this, are on
/// a's scale (a faster machine's canary is higher, its times lower).
fn canary_scale(a: &RunResults, b: &RunResults) -> Option<f64> {
    Some(canary(b)? / canary(a)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        assert!(check_name("release-2026.12").is_ok());
        assert!(check_name("../etc").is_err());
        assert!(check_name("").is_err());
        assert!(check_name(".hidden").is_err());
        assert!(check_name("a b").is_err());
    }
}
