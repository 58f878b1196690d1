//! The release shape (`make package` / `make install`): `scripts/package.sh`
//! writes `dist/` as the registry would serve it, `scripts/install.sh` puts the zip into a
//! filesystem mirror, and a plain `terraform init` (no dev_overrides) installs the provider from
//! there and records its hash in `.terraform.lock.hcl`, with Terraform 1.15.5 and 1.0.3 alike.
//!
//! The binary packaged is the one cargo built for this test run (`PROVIDER_BINARY`): calling
//! cargo from inside `cargo test` would wait forever on cargo's own lock, and a release build would
//! add minutes to CI. `make package` builds the release binary the same script packages.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{
    provider_block, repo_root, terraform, terraform_1_0, Workspace, PROVIDER_ADDRESS,
    PROVIDER_BINARY,
};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn run_script(script: &str, envs: &[(&str, &Path)]) -> String {
    let path = repo_root().join("scripts").join(script);
    let mut command = Command::new(&path);
    command.current_dir(repo_root());
    for (key, value) in envs {
        command.env(key, value);
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", path.display()));
    let text = format!(
        "$ {script}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{script} failed:\n{text}");
    text
}

/// Packages the provider into `<ws>/dist` and installs it into `<ws>/mirror`; returns the mirror.
fn package_and_install(ws: &Workspace) -> PathBuf {
    let dist = ws.path("dist");
    let mirror = ws.path("mirror");
    run_script(
        "package.sh",
        &[
            ("PROVIDER_BINARY", Path::new(PROVIDER_BINARY)),
            ("DIST_DIR", &dist),
        ],
    );

    let zip = format!("terraform-provider-gitmoxi_{VERSION}_linux_amd64.zip");
    let manifest = format!("terraform-provider-gitmoxi_{VERSION}_manifest.json");
    let sums = format!("terraform-provider-gitmoxi_{VERSION}_SHA256SUMS");
    let manifest_json: serde_json::Value =
        serde_json::from_str(&ws.read(&format!("dist/{manifest}"))).expect("manifest is JSON");
    assert_eq!(
        manifest_json,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
    );
    let sums_text = ws.read(&format!("dist/{sums}"));
    assert!(
        sums_text.contains(&format!("  {zip}\n")) && sums_text.contains(&format!("  {manifest}\n")),
        "SHA256SUMS names the zip and the manifest:\n{sums_text}"
    );
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", &sums])
        .current_dir(&dist)
        .output()
        .expect("running sha256sum");
    assert!(
        check.status.success(),
        "SHA256SUMS matches the files: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The zip holds exactly the versioned binary, executable (Python's zipfile reads it back).
    let listing = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\n\
             for i in zipfile.ZipFile(sys.argv[1]).infolist():\n    \
             print(i.filename, oct((i.external_attr >> 16) & 0o777))",
        ])
        .arg(dist.join(&zip))
        .output()
        .expect("running python3");
    assert_eq!(
        String::from_utf8_lossy(&listing.stdout).trim(),
        format!("terraform-provider-gitmoxi_v{VERSION} 0o755"),
        "zip contents"
    );

    let printed = run_script("install.sh", &[("DIST_DIR", &dist), ("MIRROR", &mirror)]);
    assert!(
        mirror
            .join("registry.terraform.io/gitmoxi/gitmoxi")
            .join(&zip)
            .is_file(),
        "the zip is in the mirror's packed layout:\n{printed}"
    );
    assert!(
        printed.contains("filesystem_mirror") && printed.contains(&mirror.display().to_string()),
        "install prints the CLI configuration to use:\n{printed}"
    );
    mirror
}

/// A plain `terraform init` from the mirror (no dev_overrides), then `terraform validate`.
fn init_from_mirror(ws: &Workspace, mirror: &Path) {
    ws.write(
        ".terraformrc",
        &format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
            mirror.display()
        ),
    );
    ws.write("main.tf", &provider_block("http://127.0.0.1:9"));

    let init = ws.init();
    assert!(
        !init.contains("overrides"),
        "init used no dev_overrides:\n{init}"
    );
    let lock = ws.read(".terraform.lock.hcl");
    assert!(
        lock.contains(&format!("provider \"{PROVIDER_ADDRESS}\"")),
        "lock file: {lock}"
    );
    assert!(
        lock.contains(&format!("version = \"{VERSION}\"")),
        "lock file: {lock}"
    );
    assert!(lock.contains("\"h1:"), "the lock file has a hash: {lock}");

    ws.tf(&["validate"])
        .assert_success()
        .assert_contains("The configuration is valid");
}

#[test]
fn packaged_provider_installs_from_a_filesystem_mirror_with_plain_init() {
    let ws = Workspace::new("packaging").with_terraform(terraform());
    let mirror = package_and_install(&ws);
    init_from_mirror(&ws, &mirror);

    // The oldest supported Terraform installs the same package and computes the same hash.
    let old = Workspace::new("packaging-tf10").with_terraform(terraform_1_0());
    init_from_mirror(&old, &mirror);
    let hash = |lock: String| {
        lock.lines()
            .find(|l| l.contains("\"h1:"))
            .map(|l| l.trim().to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        hash(ws.read(".terraform.lock.hcl")),
        hash(old.read(".terraform.lock.hcl")),
        "Terraform 1.15.5 and 1.0.3 record the same h1 hash"
    );
}
