//! `causeflow investigate` rejects bad arguments before it starts anything or writes a file.

use std::process::Command;

fn investigate(args: &[&str], out: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_causeflow"))
        .arg("investigate")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("causeflow starts")
}

fn empty_out_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("causeflow-investigate-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn unknown_scenario_writes_nothing() {
    let out = empty_out_dir("unknown");
    let output = investigate(&["--scenario", "nope"], &out);

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("scenario `nope` not found"), "{stderr}");
    assert!(stderr.contains("bad-deployment"), "lists the scenarios: {stderr}");
    assert!(!out.exists(), "no output folder is created");
}

#[test]
fn scenario_path_is_not_a_name() {
    let out = empty_out_dir("path");
    let output = investigate(&["--scenario", "../scenarios/oom-killed"], &out);

    assert_eq!(output.status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn list_prints_every_scenario() {
    let out = empty_out_dir("list");
    let output = investigate(&["--list"], &out);

    assert!(output.status.success());
    let names: Vec<String> = String::from_utf8(output.stdout).unwrap().lines().map(str::to_string).collect();
    assert_eq!(names, ["bad-deployment", "dependency-failure", "no-anomaly", "oom-killed", "traffic-surge"]);
    assert!(!out.exists());
}
