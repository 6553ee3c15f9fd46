//! EC2: describes the instances behind an ECS service.

use causeflow_domain::evidence::Ec2InstanceSummary;
use tracing::info;

use crate::error::classify;
use crate::AwsError;

#[derive(Clone)]
pub struct Ec2 {
    client: aws_sdk_ec2::Client,
}

impl Ec2 {
    pub fn new(config: &aws_config::SdkConfig) -> Ec2 {
        Ec2 { client: aws_sdk_ec2::Client::new(config) }
    }

    #[tracing::instrument(skip_all, fields(instances = instance_ids.len()))]
    pub async fn describe_instances(&self, instance_ids: &[String]) -> Result<Vec<Ec2InstanceSummary>, AwsError> {
        if instance_ids.is_empty() {
            return Ok(Vec::new());
        }
        let output = self
            .client
            .describe_instances()
            .set_instance_ids(Some(instance_ids.to_vec()))
            .send()
            .await
            .map_err(|error| classify("ec2", "DescribeInstances", error))?;
        let summaries: Vec<Ec2InstanceSummary> = output
            .reservations()
            .iter()
            .flat_map(|reservation| reservation.instances())
            .map(|instance| Ec2InstanceSummary {
                instance_id: instance.instance_id().unwrap_or_default().to_string(),
                instance_type: instance.instance_type().map(|kind| kind.as_str().to_string()).unwrap_or_default(),
                state: instance.state().and_then(|state| state.name()).map(|name| name.as_str().to_string()).unwrap_or_default(),
            })
            .collect();
        info!(described = summaries.len(), "described EC2 instances");
        Ok(summaries)
    }
}
