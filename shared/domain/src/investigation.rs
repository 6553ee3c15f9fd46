//! An open investigation: what every step of the state machine receives.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::alarm::AlarmEvent;
use crate::tenant::ServiceConfig;
use crate::{InvestigationId, TenantId};

/// How far before the alarm the agents look, to tell what is new from what was always there.
pub const LOOKBACK_MINUTES: i64 = 60;
/// How far after the alarm the agents look.
pub const LOOKAHEAD_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Investigation {
    pub tenant_id: TenantId,
    pub investigation_id: InvestigationId,
    pub account_id: String,
    pub region: String,
    pub alarm: AlarmEvent,
    pub service: ServiceConfig,
    pub opened_at: DateTime<Utc>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
}

impl Investigation {
    pub fn open(
        tenant_id: TenantId,
        account_id: String,
        region: String,
        alarm: AlarmEvent,
        service: ServiceConfig,
        now: DateTime<Utc>,
    ) -> Investigation {
        let investigation_id = InvestigationId::for_event(&tenant_id, &alarm.event_id);
        let onset = alarm.state_changed_at;
        Investigation {
            tenant_id,
            investigation_id,
            account_id,
            region,
            window_start: onset - Duration::minutes(LOOKBACK_MINUTES),
            window_end: onset + Duration::minutes(LOOKAHEAD_MINUTES),
            alarm,
            service,
            opened_at: now,
        }
    }

    pub fn onset(&self) -> DateTime<Utc> {
        self.alarm.state_changed_at
    }
}
