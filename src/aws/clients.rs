//! One shared AWS configuration and the SDK clients, made once when Terraform configures the
//! provider (Lambda's and CloudWatch's at once, the others on first use, so a plan brings only
//! Lambda's code into memory). Every resource and every rollout in one Terraform run shares them
//! (and so their connection pools and credential caches).

use std::collections::BTreeMap;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;

use std::sync::{Arc, LazyLock};

use super::budget::Budget;
use super::retry::Calls;
use super::{AlarmPoller, Aws, CloudWatchAlarms, RetryPolicy};
use crate::model::settings::Orchestrator;

/// How to reach AWS: the provider block, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// Retries of a throttled call after its first attempt.
    pub max_retries: Option<u32>,
    pub assume_role: Option<AssumeRole>,
    /// Service name (as in hashicorp/aws's `endpoints` block) → URL.
    pub endpoints: BTreeMap<String, String>,
    /// Where rollouts run unless a resource says otherwise.
    pub orchestrator: Orchestrator,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// Loads the AWS configuration (credentials chain, region, profile, assumed role) and builds the
/// clients. The SDK's own retries are off: [`RetryPolicy`] is the only one.
pub async fn connect(cfg: &AwsConfig) -> Result<Aws, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &cfg.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &cfg.profile {
        loader = loader.profile_name(profile);
    }
    let mut base = loader.load().await;
    let Some(region) = base.region().map(|r| r.to_string()) else {
        return Err(
            "no AWS region is configured: set `region` in the provider block, or AWS_REGION".into(),
        );
    };
    if let Some(role) = &cfg.assume_role {
        base = assume(base, role, cfg.endpoints.get("sts")).await;
    }
    let conf = |service: &str| {
        with_endpoint(&base, cfg.endpoints.get(service))
            .into_builder()
            .retry_config(RetryConfig::disabled())
            .build()
    };
    // Emulators and VPC endpoints serve buckets by path, not by virtual host.
    let path_style =
        cfg.endpoints.contains_key("s3") || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&conf("cloudwatch"));
    let calls = Arc::new(Calls {
        retry: RetryPolicy::with_max_retries(cfg.max_retries),
        budget: Budget::default(),
    });
    let s3_conf = conf("s3");
    Ok(Aws {
        lambda: aws_sdk_lambda::Client::new(&conf("lambda")),
        s3: LazyLock::new(Box::new(move || {
            aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&s3_conf)
                    .force_path_style(path_style)
                    .build(),
            )
        })),
        sns: lazy(conf("sns"), aws_sdk_sns::Client::new),
        elbv2: lazy(conf("elbv2"), aws_sdk_elasticloadbalancingv2::Client::new),
        apigatewayv2: lazy(conf("apigatewayv2"), aws_sdk_apigatewayv2::Client::new),
        apigateway: lazy(conf("apigateway"), aws_sdk_apigateway::Client::new),
        iam: iam_client(cfg, conf("iam")),
        sts: lazy(conf("sts"), aws_sdk_sts::Client::new),
        sfn: lazy(conf("stepfunctions"), aws_sdk_sfn::Client::new),
        account: tokio::sync::OnceCell::new(),
        alarms: AlarmPoller::new(CloudWatchAlarms::new(cloudwatch.clone(), calls.clone())),
        cloudwatch,
        region,
        calls,
        orchestrator: cfg.orchestrator.clone(),
    })
}

/// IAM is asked about execution roles only where it is the IAM of the Lambda being deployed to:
/// with a `lambda` endpoint of its own (an emulator, a VPC endpoint) and none for `iam`, the
/// provider would ask AWS's IAM about another account's roles, so it does not ask.
fn iam_client(cfg: &AwsConfig, conf: SdkConfig) -> Option<Lazy<aws_sdk_iam::Client>> {
    let lambda_elsewhere =
        cfg.endpoints.contains_key("lambda") && !cfg.endpoints.contains_key("iam");
    (!lambda_elsewhere).then(|| lazy(conf, aws_sdk_iam::Client::new))
}

/// A client built the first time it is used: a plan calls Lambda only, and building the others
/// would bring their code into memory for nothing.
pub(super) type Lazy<T> = LazyLock<T, Box<dyn FnOnce() -> T + Send>>;

fn lazy<T: 'static>(conf: SdkConfig, make: fn(&SdkConfig) -> T) -> Lazy<T> {
    LazyLock::new(Box::new(move || make(&conf)))
}

/// The base configuration with credentials of the assumed role, refreshed before they expire so
/// rollouts longer than a session keep working.
async fn assume(base: SdkConfig, role: &AssumeRole, sts_endpoint: Option<&String>) -> SdkConfig {
    let sts_conf = with_endpoint(&base, sts_endpoint);
    let session = role.session_name.clone();
    let mut builder = AssumeRoleProvider::builder(role.role_arn.clone())
        .session_name(session.unwrap_or_else(|| "terraform-provider-gitmoxi".into()))
        .configure(&sts_conf);
    if let Some(region) = base.region() {
        builder = builder.region(region.clone());
    }
    if let Some(ext) = &role.external_id {
        builder = builder.external_id(ext.clone());
    }
    let provider = builder.build().await;
    base.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

fn with_endpoint(base: &SdkConfig, url: Option<&String>) -> SdkConfig {
    match url {
        Some(url) => base.to_builder().endpoint_url(url.clone()).build(),
        None => base.clone(),
    }
}
