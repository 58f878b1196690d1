//! Every operation of `gitmoxi_lambda_deployment` against the in-memory AWS account, driven the
//! way Terraform drives it, on paused time.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gitmoxi_engine::AlarmState;
use gitmoxi_fake_aws::FakeAws;
use serde_json::{json, Value as Json};

use super::LambdaDeployment;
use crate::model::release::package_hash;
use crate::protocol::value::Value;
use crate::resources::common::state::Drift;
use crate::testing::{on_fake, summaries, FakeCloud, Instance, Terraform};

const ROLE: &str = "arn:aws:iam::000000000000:role/orders";

type Tf = Terraform<LambdaDeployment<FakeCloud>>;

fn setup() -> (Arc<FakeAws>, Tf) {
    let (aws, tf) = on_fake(LambdaDeployment::new);
    aws.update_takes(Duration::from_secs(1));
    (aws, tf)
}

/// A package file of its own for each call.
fn package(content: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "gitmoxi-resource-tests-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.zip");
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn definition(extra: Json) -> String {
    let mut d = json!({"FunctionName": "orders", "Role": ROLE, "Runtime": "python3.12",
                       "Handler": "app.handler"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        d[k] = v;
    }
    d.to_string()
}

fn canary() -> Json {
    json!([{"type": "CANARY", "percent": 10, "wait_interval": "5m"}])
}

fn config(tf: &Tf, package_file: &str, extra: Json) -> Value {
    let mut c = json!({
        "function_definition": definition(json!({})),
        "package_file": package_file,
        "alias": "live",
        "traffic_shifting": canary(),
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    tf.config(c)
}

fn s(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

/// Creates the function from `content` and returns its instance.
async fn created(tf: &Tf, content: &str) -> Instance {
    let applied = tf
        .apply(
            &Instance::default(),
            &config(tf, &package(content), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        !applied.plan_diagnostics.has_errors(),
        "{:?}",
        applied.plan_diagnostics
    );
    applied.instance()
}

mod capacity;
mod keep;
mod lifecycle;
mod list;
mod orchestrated;
mod preflight;
mod secrets;
mod sources;
mod staging;
mod verification;
