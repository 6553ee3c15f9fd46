//! Wall time of a whole local investigation per scenario, and how much of it is analysis.
//!
//! Each scenario runs `RUNS` times through the local runner and moto. The figures are medians.
//! The total wall time covers moto's start, the scenario load and the execution. The Analyze
//! task time runs from TaskScheduled to TaskSucceeded in the history. The in-process time is
//! the domain's `analyze` plus `render_markdown` on the same evidence. Both are given as a
//! share of the total measured in the same run.
//!
//! Run: `cargo bench -p causeflow-cli --bench investigation`

use std::time::{Duration, Instant};

use causeflow_cli::investigate::{run_investigation, RunOptions};
use causeflow_domain::analysis::analyze;
use causeflow_domain::markdown::render_markdown;
use causeflow_runner::HistoryEventType;

const RUNS: usize = 5;
const ANALYSIS_REPEATS: u32 = 200;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    println!("| scenario | total wall time | Analyze task | share of total | analysis in process | share of total |");
    println!("|---|---|---|---|---|---|");
    for scenario in causeflow_local::scenario::available() {
        let mut totals = Vec::new();
        let mut tasks = Vec::new();
        let mut pure = Vec::new();
        for run in 0..RUNS {
            let options = RunOptions::new(&scenario, std::env::temp_dir().join(format!("causeflow-bench-{scenario}-{run}")));
            let started = Instant::now();
            let outcome = run_investigation(&options).await.expect("scenario runs");
            totals.push(started.elapsed());

            let history = &outcome.execution.history;
            let at = |kind: HistoryEventType| {
                history.iter().find(|event| event.state_name.as_deref() == Some("Analyze") && event.event_type == kind).map(|event| event.timestamp)
            };
            if let (Some(scheduled), Some(succeeded)) = (at(HistoryEventType::TaskScheduled), at(HistoryEventType::TaskSucceeded)) {
                tasks.push((succeeded - scheduled).to_std().unwrap_or_default());
            }

            let investigation = outcome.investigation.clone().expect("investigation opened");
            let evidence = outcome.platform.investigations.evidence(&investigation.tenant_id, &investigation.investigation_id).await.expect("evidence readable");
            let started = Instant::now();
            for _ in 0..ANALYSIS_REPEATS {
                let report = analyze(&investigation, &evidence, chrono::Utc::now());
                std::hint::black_box(render_markdown(&report));
            }
            pure.push(started.elapsed() / ANALYSIS_REPEATS);
        }
        let (total, task, analysis) = (median(totals), median(tasks), median(pure));
        println!(
            "| {scenario} | {} | {} | {:.1}% | {:.1} µs | {:.1} ppm |",
            millis(total),
            millis(task),
            100.0 * task.as_secs_f64() / total.as_secs_f64(),
            analysis.as_secs_f64() * 1e6,
            1e6 * analysis.as_secs_f64() / total.as_secs_f64()
        );
    }
}
