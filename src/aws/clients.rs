//! One shared AWS configuration and the SDK clients, built once when Terraform configures the
//! provider. Every resource and every rollout in one Terraform run shares these clients (and so
//! their connection pools and credential caches).

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::provider::config::ProviderConfig;

#[derive(Clone, Debug)]
pub struct AwsClients {
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub region: String,
}

impl AwsClients {
    pub async fn build(cfg: &ProviderConfig) -> Result<AwsClients, String> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &cfg.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(profile) = &cfg.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(n) = cfg.max_retries {
            loader = loader.retry_config(RetryConfig::standard().with_max_attempts(n + 1));
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            return Err(
                "no AWS region is configured: set `region` in the provider block, or AWS_REGION"
                    .into(),
            );
        }

        if let Some(role) = &cfg.assume_role {
            let sts_conf = with_endpoint(&base, cfg.endpoints.get("sts"));
            let mut builder = AssumeRoleProvider::builder(role.role_arn.clone())
                .session_name(
                    role.session_name
                        .clone()
                        .unwrap_or_else(|| "terraform-provider-gitmoxi".into()),
                )
                .configure(&sts_conf);
            if let Some(region) = base.region() {
                builder = builder.region(region.clone());
            }
            if let Some(ext) = &role.external_id {
                builder = builder.external_id(ext.clone());
            }
            // The provider caches and refreshes the role's credentials before they expire, so
            // rollouts longer than a session keep working.
            let provider = builder.build().await;
            base = base
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }

        let conf = |service: &str| with_endpoint(&base, cfg.endpoints.get(service));
        Ok(AwsClients {
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&conf("lambda")).build(),
            ),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(
                aws_sdk_cloudwatch::config::Builder::from(&conf("cloudwatch")).build(),
            ),
            // Emulators and VPC endpoints serve buckets by path, not by virtual host.
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&conf("s3"))
                    .force_path_style(
                        cfg.endpoints.contains_key("s3")
                            || std::env::var_os("AWS_ENDPOINT_URL").is_some(),
                    )
                    .build(),
            ),
            sns: aws_sdk_sns::Client::from_conf(
                aws_sdk_sns::config::Builder::from(&conf("sns")).build(),
            ),
            elbv2: aws_sdk_elasticloadbalancingv2::Client::from_conf(
                aws_sdk_elasticloadbalancingv2::config::Builder::from(&conf("elbv2")).build(),
            ),
            apigatewayv2: aws_sdk_apigatewayv2::Client::from_conf(
                aws_sdk_apigatewayv2::config::Builder::from(&conf("apigatewayv2")).build(),
            ),
            region: base.region().map(|r| r.to_string()).unwrap_or_default(),
        })
    }
}

fn with_endpoint(base: &SdkConfig, url: Option<&String>) -> SdkConfig {
    match url {
        Some(url) => base.to_builder().endpoint_url(url.clone()).build(),
        None => base.clone(),
    }
}
