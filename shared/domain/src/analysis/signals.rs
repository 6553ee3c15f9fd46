//! Reads the evidence into the few facts the hypotheses are built from.

use chrono::{DateTime, Duration, Utc};

use crate::evidence::{
    ChangeDirection, DeploymentFinding, Evidence, Finding, LogTemplateFinding, MetricChangeFinding,
    ServiceStateFinding, StoppedTasksFinding,
};

use super::{DEPLOYMENT_WINDOW_MINUTES, SATURATION_PERCENT};

/// Words that mark a log template as an error. Matched case-insensitively.
const ERROR_WORDS: [&str; 10] =
    ["error", "exception", "fail", "fatal", "panic", "traceback", "crash", "denied", "refused", "timed out"];

/// Words that mark an error as a call to another service going wrong. Matched
/// case-insensitively.
const DEPENDENCY_WORDS: [&str; 11] = [
    "timed out",
    "timeout",
    "connection refused",
    "econnrefused",
    "connection reset",
    "econnreset",
    "upstream",
    "service unavailable",
    "no route to host",
    "deadline exceeded",
    "broken pipe",
];

/// A finding together with the id the report cites it by.
#[derive(Debug)]
pub(crate) struct Cited<'a, T> {
    pub id: &'a str,
    pub finding: &'a T,
}

// Implemented by hand because the derives would require `T: Copy`, while only references
// are copied.
impl<T> Clone for Cited<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Cited<'_, T> {}

/// Facts drawn from the evidence, sorted by the hypothesis that needs them.
#[derive(Debug, Default)]
pub(crate) struct Signals<'a> {
    /// The latest deployment that started within [`DEPLOYMENT_WINDOW_MINUTES`] before the onset.
    pub deployment: Option<Cited<'a, DeploymentFinding>>,
    /// New or surging templates that read as errors, dependency errors included.
    pub error_templates: Vec<Cited<'a, LogTemplateFinding>>,
    /// The subset of `error_templates` that read as a call to another service failing.
    pub dependency_templates: Vec<Cited<'a, LogTemplateFinding>>,
    /// Stopped tasks killed for running out of memory.
    pub out_of_memory: Vec<Cited<'a, StoppedTasksFinding>>,
    pub alarm_metric: Option<Cited<'a, MetricChangeFinding>>,
    pub cpu_up: Option<Cited<'a, MetricChangeFinding>>,
    pub memory_up: Option<Cited<'a, MetricChangeFinding>>,
    pub latency_up: Option<Cited<'a, MetricChangeFinding>>,
    pub requests_up: Option<Cited<'a, MetricChangeFinding>>,
    /// CPU or memory utilisation that rose to at least [`SATURATION_PERCENT`].
    pub saturated: Vec<Cited<'a, MetricChangeFinding>>,
    pub service_state: Option<Cited<'a, ServiceStateFinding>>,
    pub ec2_instances_id: Option<&'a str>,
    /// Whether any evidence was gathered at all.
    pub has_evidence: bool,
}

impl<'a> Signals<'a> {
    pub fn gather(evidence: &'a [Evidence], onset: DateTime<Utc>) -> Signals<'a> {
        let mut signals = Signals { has_evidence: !evidence.is_empty(), ..Signals::default() };
        let deployment_window_start = onset - Duration::minutes(DEPLOYMENT_WINDOW_MINUTES);

        for item in evidence {
            let id = item.id.as_str();
            match &item.finding {
                Finding::Deployment(finding) => {
                    let lines_up = finding.started_at >= deployment_window_start && finding.started_at <= onset;
                    let later = signals.deployment.is_none_or(|current| finding.started_at > current.finding.started_at);
                    if lines_up && later {
                        signals.deployment = Some(Cited { id, finding });
                    }
                }
                Finding::LogTemplate(finding) => {
                    if is_error_template(&finding.template) {
                        signals.error_templates.push(Cited { id, finding });
                        if is_dependency_template(&finding.template) {
                            signals.dependency_templates.push(Cited { id, finding });
                        }
                    }
                }
                Finding::StoppedTasks(finding) => {
                    if finding.out_of_memory && finding.count > 0 {
                        signals.out_of_memory.push(Cited { id, finding });
                    }
                }
                Finding::MetricChange(finding) => signals.add_metric(Cited { id, finding }),
                Finding::ServiceState(finding) => {
                    signals.service_state.get_or_insert(Cited { id, finding });
                }
                Finding::Ec2Instances(_) => {
                    signals.ec2_instances_id.get_or_insert(id);
                }
            }
        }
        signals
    }

    fn add_metric(&mut self, metric: Cited<'a, MetricChangeFinding>) {
        let finding = metric.finding;
        if finding.is_alarm_metric && self.alarm_metric.is_none() {
            self.alarm_metric = Some(metric);
        }
        if finding.direction != ChangeDirection::Up || finding.changed_at.is_none() {
            return;
        }

        let name = finding.metric_name.to_ascii_lowercase();
        let slot = if name.contains("cpu") {
            &mut self.cpu_up
        } else if name.contains("memory") {
            &mut self.memory_up
        } else if name.contains("latency") || name.contains("responsetime") || name.contains("duration") {
            &mut self.latency_up
        } else if name.contains("requestcount") || name.contains("requests") || name.contains("invocations") {
            &mut self.requests_up
        } else {
            return;
        };
        slot.get_or_insert(metric);

        let is_utilization = name.contains("utilization") && (name.contains("cpu") || name.contains("memory"));
        if is_utilization && finding.peak >= SATURATION_PERCENT {
            self.saturated.push(metric);
        }
    }

    /// Checks whether the alarm's own metric left its baseline, for hypotheses that it corroborates.
    pub fn alarm_metric_changed(&self) -> bool {
        self.alarm_metric.is_some_and(|metric| metric.finding.direction != ChangeDirection::Unchanged)
    }

    /// Error templates first seen at or after `since`.
    pub fn error_templates_since(&self, since: DateTime<Utc>) -> Vec<Cited<'a, LogTemplateFinding>> {
        self.error_templates.iter().copied().filter(|template| template.finding.first_seen >= since).collect()
    }
}

fn contains_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|word| lower.contains(word))
}

/// Checks whether a log template reads as an error, by the words in [`ERROR_WORDS`] and
/// [`DEPENDENCY_WORDS`].
pub fn is_error_template(template: &str) -> bool {
    contains_any(template, &ERROR_WORDS) || contains_any(template, &DEPENDENCY_WORDS)
}

/// Checks whether a log template reads as a call to another service failing.
pub fn is_dependency_template(template: &str) -> bool {
    contains_any(template, &DEPENDENCY_WORDS)
}

/// Words after which a log line names the service it called, as in
/// `upstream payments-api timed out`.
const DEPENDENCY_NAME_MARKERS: [&str; 2] = ["upstream", "calling"];

/// Words after which a log line may name the service it called, as in
/// `request to inventory.internal failed`. They also precede verbs (`failed to connect`), so
/// the word after them counts only when it contains `-`, `.` or `_`, as host names do.
const WEAK_DEPENDENCY_NAME_MARKERS: [&str; 2] = ["to", "from"];

/// Finds the name of the called service in a dependency template: the first word after a
/// marker that looks like a host or service name (letters, digits, `-`, `.`, `_`, with a
/// letter in it). Returns None when the template names none, for example when the address
/// was masked as `<*>`.
pub fn dependency_name(template: &str) -> Option<String> {
    let words: Vec<&str> = template.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let marker = pair[0].to_ascii_lowercase();
        let candidate = pair[1].trim_end_matches([':', ',', ';']);
        let looks_like_name = candidate.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            && candidate.chars().any(|c| c.is_ascii_alphabetic())
            && candidate.len() > 1;
        let has_separator = candidate.contains(['-', '.', '_']);
        let after_marker = DEPENDENCY_NAME_MARKERS.contains(&marker.as_str())
            || (WEAK_DEPENDENCY_NAME_MARKERS.contains(&marker.as_str()) && has_separator);
        (after_marker && looks_like_name).then(|| candidate.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_names_are_read_from_templates() {
        assert_eq!(dependency_name("ERROR [payments] upstream payments-api timed out after <*>"), Some("payments-api".into()));
        assert_eq!(dependency_name("request to inventory.internal: connection refused"), Some("inventory.internal".into()));
        assert_eq!(dependency_name("dial tcp <*>: connection refused"), None);
        assert_eq!(dependency_name("connect ECONNREFUSED <*>"), None);
        assert_eq!(dependency_name("failed to connect: timed out"), None);
        assert_eq!(dependency_name("upstream redis timed out"), Some("redis".into()));
    }

    #[test]
    fn error_words_classify_templates() {
        assert!(is_error_template("ERROR order <*> failed"));
        assert!(is_error_template("java.lang.NullPointerException at <*>"));
        assert!(!is_error_template("GET /api/orders/<*> <*> <*>"));
        assert!(!is_error_template("worker started pid=<*>"));
    }

    #[test]
    fn dependency_words_classify_templates() {
        assert!(is_dependency_template("upstream payments-api timed out after <*>"));
        assert!(is_dependency_template("connect ECONNREFUSED <*>"));
        assert!(is_dependency_template("dial tcp <*>: connection refused"));
        assert!(!is_dependency_template("ERROR NullPointerException in PriceCalculator"));
    }
}
