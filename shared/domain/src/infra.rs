//! ECS and EC2 state as the infra inspector reads it, and the findings drawn from it: what a
//! deployment changed, and why tasks stopped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::evidence::StoppedTasksFinding;

/// Exit code of a process killed by SIGKILL, which is what the kernel's OOM killer sends.
pub const SIGKILL_EXIT_CODE: i32 = 137;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerSnapshot {
    pub name: String,
    pub image: String,
    pub memory_mib: Option<u32>,
    pub memory_reservation_mib: Option<u32>,
    pub cpu_units: Option<u32>,
    pub command: Vec<String>,
    /// Environment variable names only: values may be secrets.
    pub environment_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDefinitionSnapshot {
    pub arn: String,
    /// `family:revision`, such as `checkout:8`.
    pub family_revision: String,
    pub task_memory: Option<String>,
    pub task_cpu: Option<String>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub containers: Vec<ContainerSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentSnapshot {
    pub id: String,
    pub status: String,
    pub task_definition_arn: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSnapshot {
    pub cluster: String,
    pub service: String,
    pub service_arn: String,
    pub task_definition_arn: String,
    pub desired_count: u32,
    pub running_count: u32,
    pub deployments: Vec<DeploymentSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedContainer {
    pub name: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppedTask {
    pub task_arn: String,
    pub task_definition_arn: String,
    pub stopped_reason: String,
    pub stopped_at: Option<DateTime<Utc>>,
    pub containers: Vec<StoppedContainer>,
}

/// `family:revision` from a task definition ARN or name.
pub fn family_revision(task_definition: &str) -> String {
    task_definition.rsplit('/').next().unwrap_or(task_definition).to_string()
}

/// Lines describing what changed from `previous` to `current`, such as
/// `container api image: repo/api:1.4.2 -> repo/api:1.5.0`.
pub fn diff_task_definitions(previous: &TaskDefinitionSnapshot, current: &TaskDefinitionSnapshot) -> Vec<String> {
    let mut changes = Vec::new();
    compare(&mut changes, "task memory", previous.task_memory.clone(), current.task_memory.clone());
    compare(&mut changes, "task cpu", previous.task_cpu.clone(), current.task_cpu.clone());
    compare(&mut changes, "task role", previous.task_role_arn.clone(), current.task_role_arn.clone());

    let before: BTreeMap<&str, &ContainerSnapshot> = previous.containers.iter().map(|c| (c.name.as_str(), c)).collect();
    let after: BTreeMap<&str, &ContainerSnapshot> = current.containers.iter().map(|c| (c.name.as_str(), c)).collect();
    for (name, new) in &after {
        let Some(old) = before.get(name) else {
            changes.push(format!("container {name} added"));
            continue;
        };
        let field = |label: &str| format!("container {name} {label}");
        compare(&mut changes, &field("image"), Some(old.image.clone()), Some(new.image.clone()));
        compare(&mut changes, &field("memory"), old.memory_mib.map(|m| m.to_string()), new.memory_mib.map(|m| m.to_string()));
        compare(
            &mut changes,
            &field("memory reservation"),
            old.memory_reservation_mib.map(|m| m.to_string()),
            new.memory_reservation_mib.map(|m| m.to_string()),
        );
        compare(&mut changes, &field("cpu"), old.cpu_units.map(|c| c.to_string()), new.cpu_units.map(|c| c.to_string()));
        compare(&mut changes, &field("command"), Some(old.command.join(" ")), Some(new.command.join(" ")));
        for added in new.environment_names.iter().filter(|env| !old.environment_names.contains(env)) {
            changes.push(format!("container {name} environment variable {added} added"));
        }
        for removed in old.environment_names.iter().filter(|env| !new.environment_names.contains(env)) {
            changes.push(format!("container {name} environment variable {removed} removed"));
        }
    }
    for name in before.keys().filter(|name| !after.contains_key(*name)) {
        changes.push(format!("container {name} removed"));
    }
    changes
}

fn compare(changes: &mut Vec<String>, what: &str, before: Option<String>, after: Option<String>) {
    if before != after {
        let show = |value: Option<String>| value.unwrap_or_else(|| "(none)".to_string());
        changes.push(format!("{what}: {} -> {}", show(before), show(after)));
    }
}

/// Tells whether a stopped task was killed for running out of memory. ECS reports it in the
/// container reason (`OutOfMemoryError: Container killed due to memory usage`) or the task's
/// stopped reason, and the container exits with 137.
pub fn is_out_of_memory(task: &StoppedTask) -> bool {
    let mentions_oom = |text: &str| text.contains("OutOfMemory") || text.contains("OOM");
    mentions_oom(&task.stopped_reason)
        || task.containers.iter().any(|container| container.reason.as_deref().is_some_and(mentions_oom))
}

/// Groups stopped tasks by task definition and reason, largest group first.
pub fn summarize_stopped_tasks(tasks: &[StoppedTask]) -> Vec<StoppedTasksFinding> {
    let mut groups: BTreeMap<(String, String), Vec<&StoppedTask>> = BTreeMap::new();
    for task in tasks {
        let key = (family_revision(&task.task_definition_arn), task.stopped_reason.clone());
        groups.entry(key).or_default().push(task);
    }

    let mut findings: Vec<StoppedTasksFinding> = groups
        .into_iter()
        .map(|((task_definition, stopped_reason), tasks)| {
            let mut exit_codes: Vec<i32> = tasks.iter().flat_map(|task| task.containers.iter().filter_map(|c| c.exit_code)).collect();
            exit_codes.sort_unstable();
            exit_codes.dedup();
            let mut container_reasons: Vec<String> = tasks.iter().flat_map(|task| task.containers.iter().filter_map(|c| c.reason.clone())).collect();
            container_reasons.sort();
            container_reasons.dedup();
            let stop_times: Vec<DateTime<Utc>> = tasks.iter().filter_map(|task| task.stopped_at).collect();
            StoppedTasksFinding {
                task_definition,
                count: tasks.len() as u32,
                out_of_memory: tasks.iter().any(|task| is_out_of_memory(task)),
                stopped_reason,
                container_reasons,
                exit_codes,
                first_stopped_at: stop_times.iter().min().copied(),
                last_stopped_at: stop_times.iter().max().copied(),
            }
        })
        .collect();
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.count));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(image: &str, memory: u32) -> ContainerSnapshot {
        ContainerSnapshot {
            name: "api".into(),
            image: image.into(),
            memory_mib: Some(memory),
            memory_reservation_mib: None,
            cpu_units: Some(256),
            command: vec![],
            environment_names: vec!["DB_HOST".into()],
        }
    }

    fn task_definition(revision: u32, image: &str, memory: u32) -> TaskDefinitionSnapshot {
        TaskDefinitionSnapshot {
            arn: format!("arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:{revision}"),
            family_revision: format!("checkout:{revision}"),
            task_memory: None,
            task_cpu: None,
            task_role_arn: None,
            execution_role_arn: None,
            containers: vec![container(image, memory)],
        }
    }

    #[test]
    fn diff_names_image_and_memory_changes() {
        let changes = diff_task_definitions(&task_definition(7, "repo/api:1.4.2", 512), &task_definition(8, "repo/api:1.5.0", 1024));
        assert_eq!(
            changes,
            vec!["container api image: repo/api:1.4.2 -> repo/api:1.5.0".to_string(), "container api memory: 512 -> 1024".to_string()]
        );
    }

    #[test]
    fn oom_is_read_from_container_reason() {
        let task = StoppedTask {
            task_arn: "t1".into(),
            task_definition_arn: "arn:aws:ecs:us-east-1:111122223333:task-definition/checkout:8".into(),
            stopped_reason: "Essential container in task exited".into(),
            stopped_at: None,
            containers: vec![StoppedContainer { name: "api".into(), exit_code: Some(SIGKILL_EXIT_CODE), reason: Some("OutOfMemoryError: Container killed due to memory usage".into()) }],
        };
        let findings = summarize_stopped_tasks(&[task.clone(), task]);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].count, 2);
        assert!(findings[0].out_of_memory);
        assert_eq!(findings[0].exit_codes, vec![SIGKILL_EXIT_CODE]);
        assert_eq!(findings[0].task_definition, "checkout:8");
    }
}
