// The Lambda runtime future around the AWS SDK calls nests deeper than the default limit.
#![recursion_limit = "256"]

causeflow_lambda::lambda_main!(expire_approval::handle);
