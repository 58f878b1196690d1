"""Terraform workspaces for the benchmark: the two configurations (gitmoxi, and hashicorp/aws
3.39.0's `aws_lambda_function` with `publish = true` + `aws_lambda_alias`), the code packages, the
CLI configuration, and running Terraform while sampling the provider's peak RSS."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench"
LOGS = WORK / "logs"
TERRAFORM = ROOT / ".venv" / "bin" / "terraform"
MINISTACK = ROOT / ".venv" / "bin" / "ministack"
MIRROR = ROOT / ".tools" / "mirror"
AWS_VERSION = "3.39.0"
AWS_BINARY = (MIRROR / f"registry.terraform.io/hashicorp/aws/{AWS_VERSION}/linux_amd64"
              / f"terraform-provider-aws_v{AWS_VERSION}_x5")
OURS_BINARY = Path(os.environ.get("GITMOXI_BINARY", ROOT / "target/release/terraform-provider-gitmoxi")).resolve()
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
REGION = "us-east-1"
ROLE = "arn:aws:iam::000000000000:role/bench"
# The role the rollouts' state machines run as (ministack does not check it).
ROLLOUT_ROLE = "arn:aws:iam::000000000000:role/gitmoxi-rollouts"
ALARM = "bench-errors"


OURS, AWS = "gitmoxi", "aws"


# ---- Terraform workspaces ----------------------------------------------------------------------

def package(i: int) -> Path:
    """A release of the function's code; each i is different code."""
    path = WORK / "packages" / f"release-{i}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as z:
            info = zipfile.ZipInfo("app.py", date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(info, f'RELEASE = {i}\n\ndef handler(event, context):\n    return {{"release": RELEASE}}\n')
    return path


def cli_config() -> Path:
    path = WORK / "terraformrc"
    path.write_text(f'''provider_installation {{
  dev_overrides {{
    "gitmoxi/gitmoxi" = "{OURS_BINARY.parent}"
  }}
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }}
}}
''')
    return path


def ours_tf(n: int, endpoint: str) -> str:
    return f'''terraform {{
  required_providers {{
    gitmoxi = {{ source = "gitmoxi/gitmoxi" }}
  }}
}}

variable "package_file" {{ type = string }}

# Where rollouts run: "provider" (in the apply) or "step_functions" (see bench/run.py).
variable "orchestrator" {{
  type    = string
  default = "provider"
}}

variable "wait_for_rollout" {{
  type    = bool
  default = true
}}

provider "gitmoxi" {{
  region = "{REGION}"
  endpoints {{
    lambda        = "{endpoint}"
    cloudwatch    = "{endpoint}"
    sts           = "{endpoint}"
    sns           = "{endpoint}"
    stepfunctions = "{endpoint}"
  }}
}}

resource "gitmoxi_lambda_deployment" "fn" {{
  count = {n}
  function_definition = jsonencode({{
    FunctionName = "bench-gitmoxi-{n}-${{count.index}}"
    Role         = "{ROLE}"
    Runtime      = "python3.8"
    Handler      = "app.handler"
    MemorySize   = 128
    Timeout      = 5
  }})
  package_file = var.package_file
  alias        = "live"

  traffic_shifting {{
    type          = "LINEAR"
    percent       = 50
    wait_interval = "2s"
  }}
  alarms = ["{ALARM}"]

  orchestrator {{
    type     = var.orchestrator
    role_arn = var.orchestrator == "step_functions" ? "{ROLLOUT_ROLE}" : null
  }}
  wait_for_rollout = var.wait_for_rollout
}}
'''


def aws_tf(n: int, endpoint: str, count: int | None = None) -> str:
    return f'''terraform {{
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "{AWS_VERSION}"
    }}
  }}
}}

variable "package_file" {{ type = string }}

provider "aws" {{
  region                      = "{REGION}"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_get_ec2_platforms      = true
  skip_region_validation      = true
  endpoints {{
    lambda     = "{endpoint}"
    iam        = "{endpoint}"
    sts        = "{endpoint}"
    cloudwatch = "{endpoint}"
  }}
}}

resource "aws_lambda_function" "fn" {{
  count            = {n if count is None else count}
  function_name    = "bench-aws-{n}-${{count.index}}"
  role             = "{ROLE}"
  runtime          = "python3.8"
  handler          = "app.handler"
  memory_size      = 128
  timeout          = 5
  filename         = var.package_file
  source_code_hash = filebase64sha256(var.package_file)
  publish          = true
}}

resource "aws_lambda_alias" "live" {{
  count            = {n if count is None else count}
  name             = "live"
  function_name    = aws_lambda_function.fn[count.index].function_name
  function_version = aws_lambda_function.fn[count.index].version
}}
'''


class Peak:
    """Samples VmHWM of every provider process under a Terraform run (by pid: each start of a
    provider is its own process) and keeps the largest."""

    def __init__(self, root_pid: int, binary_name: str):
        self.root, self.name = root_pid, binary_name
        self.peak_kb = 0
        self.pids: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
        return kids

    def _sample(self):
        kids = self._children()
        todo, seen = [self.root], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo.extend(kids.get(pid, []))
        for pid in seen[1:]:
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
                if Path(exe).name != self.name:
                    continue
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                        self.pids.add(pid)
            except OSError:
                continue

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            time.sleep(0.02)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


class Workspace:
    def __init__(self, kind: str, n: int, endpoint: str, cli: Path):
        self.kind, self.n = kind, n
        self.dir = WORK / f"{kind}-{n}"
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        (self.dir / "main.tf").write_text(ours_tf(n, endpoint) if kind == OURS else aws_tf(n, endpoint))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        self.env.update(TF_CLI_CONFIG_FILE=str(cli), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                        TF_INPUT="0", AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                        AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
        self.binary = OURS_BINARY.name if kind == OURS else AWS_BINARY.name
        self.runs = 0

    def retarget(self, endpoint: str):
        """Points the provider at another endpoint (another proxy in front of the same emulator)."""
        (self.dir / "main.tf").write_text(ours_tf(self.n, endpoint) if self.kind == OURS
                                          else aws_tf(self.n, endpoint))

    def tf(self, *args: str, sample_rss: bool = False, check: bool = True) -> tuple[float, float]:
        """Runs Terraform; returns (wall seconds, provider peak RSS MiB or 0). Fails loudly unless
        `check` is off, when a failure returns a negative wall time."""
        self.runs += 1
        log = LOGS / f"{self.kind}-{self.n}-{self.runs:02d}-{args[0]}.log"
        with open(log, "wb") as out:
            started = time.perf_counter()
            proc = subprocess.Popen([str(TERRAFORM), *args, "-no-color"] if args[0] != "init" else
                                    [str(TERRAFORM), *args], cwd=self.dir, env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            peak = Peak(proc.pid, self.binary) if sample_rss else None
            rc = proc.wait()
            elapsed = time.perf_counter() - started
            rss = peak.stop() if peak else 0.0
        if rc != 0 and not check:
            return -elapsed, rss
        if rc != 0:
            tail = log.read_text(errors="replace").splitlines()[-25:]
            raise SystemExit(f"terraform {' '.join(args)} in {self.dir} failed (exit {rc}); log {log}:\n"
                             + "\n".join(tail))
        return elapsed, rss

    def populate_aws(self, emulator_url: str, package_file: str):
        """N functions under hashicorp/aws without N serialised creates.

        hashicorp/aws holds one provider-wide lock around each create and update that uploads a
        `filename` (the upload, the wait until the function is ready and the publish), so its
        creates run one at a time, about 5 s each here: 200 take 17 minutes. Instead Terraform
        creates function 0 and its alias, boto3 creates the others the same way (CreateFunction
        with Publish, CreateAlias) straight on the emulator, and the state gets copies of
        instance 0 renamed. The refresh of the first plan then reads every one from AWS.
        """
        import boto3  # in .venv (scripts/requirements-tools.txt)

        endpoint_tf = (self.dir / "main.tf").read_text()
        proxy_endpoint = endpoint_tf.split('lambda     = "', 1)[1].split('"', 1)[0]
        (self.dir / "main.tf").write_text(aws_tf(self.n, proxy_endpoint, count=1))
        self.tf("apply", "-auto-approve", "-input=false", f"-var=package_file={package_file}")

        lam = boto3.client("lambda", endpoint_url=emulator_url, region_name=REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
        code = Path(package_file).read_bytes()
        names = [f"bench-aws-{self.n}-{i}" for i in range(1, self.n)]

        def create(name: str):
            f = lam.create_function(FunctionName=name, Role=ROLE, Runtime="python3.8", Handler="app.handler",
                                    MemorySize=128, Timeout=5, Code={"ZipFile": code}, Publish=True)
            lam.create_alias(FunctionName=name, Name="live", FunctionVersion=f["Version"])

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, names))

        state_path = self.dir / "terraform.tfstate"
        state = json.loads(state_path.read_text())
        first = f"bench-aws-{self.n}-0"
        for resource in state["resources"]:
            template = resource["instances"][0]
            text = json.dumps(template)
            for i in range(1, self.n):
                instance = json.loads(text.replace(f'{first}"', f'bench-aws-{self.n}-{i}"')
                                      .replace(f"{first}:", f"bench-aws-{self.n}-{i}:")
                                      .replace(f"{first}/", f"bench-aws-{self.n}-{i}/"))
                instance["index_key"] = i
                resource["instances"].append(copy.deepcopy(instance))
        state["serial"] += 1
        state["lineage"] = str(uuid.uuid4())
        state_path.write_text(json.dumps(state, indent=2))
        (self.dir / "main.tf").write_text(aws_tf(self.n, proxy_endpoint))
