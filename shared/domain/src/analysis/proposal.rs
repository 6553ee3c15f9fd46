//! Chooses the one action the report proposes, from the top hypothesis only.

use crate::action::ProposedAction;
use crate::report::{CauseKind, Hypothesis};
use crate::tenant::ServiceConfig;

use super::signals::Signals;
use super::{MAX_MEMORY_STEP_MIB, MAX_SCALE_OUT_STEP, MIN_ACTION_CONFIDENCE};

/// Chooses the action for the top hypothesis. There is none when its cause is outside what
/// the remediator may change (a failing dependency) or nothing is anomalous. There is none
/// either when its confidence is below [`MIN_ACTION_CONFIDENCE`], or when the evidence lacks
/// what the action needs (the previous task definition, memory limits, the desired count).
pub(crate) fn propose_action(top: &Hypothesis, signals: &Signals, service: &ServiceConfig) -> Option<ProposedAction> {
    if top.confidence < MIN_ACTION_CONFIDENCE {
        return None;
    }
    match top.cause {
        CauseKind::BadDeployment => rollback(signals, service),
        CauseKind::OutOfMemory => raise_memory_limit(signals, service),
        CauseKind::Saturation => scale_out(signals, service),
        CauseKind::DependencyFailure | CauseKind::NoAnomaly => None,
    }
}

fn rollback(signals: &Signals, service: &ServiceConfig) -> Option<ProposedAction> {
    let deployment = signals.deployment?.finding;
    let previous = deployment.previous_task_definition.as_ref()?;
    if previous == &deployment.task_definition {
        return None;
    }
    Some(ProposedAction::RollbackService {
        cluster: service.cluster.clone(),
        service: service.service.clone(),
        from_task_definition: deployment.task_definition.clone(),
        to_task_definition: previous.clone(),
    })
}

/// Doubles the memory limit of the container, by at most [`MAX_MEMORY_STEP_MIB`]. The
/// container is the only one of the task definition, else the one named after the service,
/// else the one with the largest limit (the likeliest to be killed).
fn raise_memory_limit(signals: &Signals, service: &ServiceConfig) -> Option<ProposedAction> {
    let state = signals.service_state?.finding;
    let limits = &state.container_memory_mib;
    let (container, from_mib) = limits
        .get_key_value(&service.service)
        .or_else(|| limits.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))?;
    let from_mib = *from_mib;
    if from_mib == 0 {
        return None;
    }

    // NOTE: on Fargate the task-level memory must also allow the new container limit. This
    // step does not check it, so ECS rejects the new revision when Fargate has no such size.
    let to_mib = from_mib.saturating_mul(2).min(from_mib.saturating_add(MAX_MEMORY_STEP_MIB));
    Some(ProposedAction::RaiseMemoryLimit {
        cluster: service.cluster.clone(),
        service: service.service.clone(),
        task_definition: state.task_definition.clone(),
        container: container.clone(),
        from_mib,
        to_mib,
        pass_roles: state.task_definition_roles.clone(),
    })
}

/// Doubles the desired count, by at most [`MAX_SCALE_OUT_STEP`] tasks, and only when nothing
/// else explains the load: no deployment lines up, no task was OOM-killed and no new error
/// template appeared. A service scaled to zero is left alone because that was deliberate.
fn scale_out(signals: &Signals, service: &ServiceConfig) -> Option<ProposedAction> {
    if signals.deployment.is_some() || !signals.out_of_memory.is_empty() || !signals.error_templates.is_empty() {
        return None;
    }
    let state = signals.service_state?.finding;
    let from_count = state.desired_count;
    if from_count == 0 {
        return None;
    }
    Some(ProposedAction::ScaleOut {
        cluster: service.cluster.clone(),
        service: service.service.clone(),
        from_count,
        to_count: from_count + from_count.min(MAX_SCALE_OUT_STEP),
    })
}
