"""Time `keyless iac` on a generated Terraform tree against parsing the same files.

The tree (--resources, default 2,000) is split into modules of 100 resources, written the
way repositories write them: roles whose trust is `jsonencode`, a heredoc or an
`aws_iam_policy_document` (GitHub OIDC roles with subject lists from variables, service
roles, cross-account roles), IAM users and keys, and unrelated resources (buckets, queues).
The baseline, in the same run, is python-hcl2's parse of every file (`hcl2.parses_to_tree`),
the floor any HCL reader pays. Each is a separate process, run --repeat times; the median
wall time, the median CPU time (user + system, from os.wait4 for that child alone) and the
largest peak RSS are reported, with ratios.

    python benchmarks/bench_iac.py [--resources 2000] [--repeat 3]

With --json MB, it writes instead one `cdk.tf.json` of about MB megabytes in Terraform's
JSON syntax, as `cdktf synth` writes a stack (a `"//"` metadata object in every body): the
same mix of roles, users and keys, one in a hundred resources, among buckets and queues.
The baseline is then the standard library's `json.loads` of the file (its C parser, no
positions), the floor any reader of JSON in Python pays.

    python benchmarks/bench_iac.py --json 29 [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: `keyless iac` should stay within a few seconds on 2,000 resources (issue #15).
GOAL_SECONDS = 5.0
PER_MODULE = 100

_VARIABLES = """
variable "organisation" {
  type    = string
  default = "octo-org"
}

variable "repositories" {
  type    = list(string)
  default = ["app", "infra", "docs"]
}
"""

_OIDC_ROLE = """
data "aws_iam_policy_document" "ci_{n}" {{
  statement {{
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {{
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }}
    condition {{
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [
        for r in var.repositories : "repo:${{var.organisation}}/${{r}}:ref:refs/heads/main"
      ]
    }}
  }}
}}

resource "aws_iam_role" "ci_{n}" {{
  name               = "ci-{n}"
  assume_role_policy = data.aws_iam_policy_document.ci_{n}.json
}}
"""

_SERVICE_ROLE = """
resource "aws_iam_role" "service_{n}" {{
  name = "service-{n}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ Service = "lambda.amazonaws.com" }}
    }}]
  }})
}}
"""

_CROSS_ACCOUNT_ROLE = """
resource "aws_iam_role" "vendor_{n}" {{
  name               = "vendor-{n}"
  assume_role_policy = <<-POLICY
    {{
      "Version": "2012-10-17",
      "Statement": [{{
        "Effect": "Allow",
        "Principal": {{ "AWS": "arn:aws:iam::2109876{n:05d}:root" }},
        "Action": "sts:AssumeRole",
        "Condition": {{ "StringEquals": {{ "sts:ExternalId": "tenant-{n}" }} }}
      }}]
    }}
  POLICY
}}
"""

_USER = """
resource "aws_iam_user" "user_{n}" {{
  name = "user-{n}"
}}

resource "aws_iam_access_key" "user_{n}" {{
  user = aws_iam_user.user_{n}.name
}}
"""

_OTHER = """
resource "aws_s3_bucket" "bucket_{n}" {{
  bucket = "octo-bucket-{n}"
  tags   = {{ Team = "platform", Index = "{n}" }}
}}

resource "aws_sqs_queue" "queue_{n}" {{
  name                      = "queue-{n}"
  message_retention_seconds = 86400
}}
"""

# (template, how many resources one copy declares), in the mix the tree repeats.
_MIX = [(_OIDC_ROLE, 1), (_SERVICE_ROLE, 1), (_CROSS_ACCOUNT_ROLE, 1), (_USER, 2), (_OTHER, 2)]


def generate(root: Path, resources: int) -> int:
    """Write the tree; returns how many resources it declares."""
    written = 0
    module = 0
    while written < resources:
        directory = root / f"module-{module:03d}"
        directory.mkdir(parents=True)
        (directory / "variables.tf").write_text(_VARIABLES)
        parts: list[str] = []
        in_module = 0
        n = module * PER_MODULE
        while in_module < PER_MODULE and written < resources:
            for template, count in _MIX:
                parts.append(template.format(n=n))
                in_module += count
                written += count
            n += 1
        (directory / "main.tf").write_text("".join(parts))
        module += 1
    return written


def _metadata(path: str) -> dict[str, object]:
    return {"//": {"metadata": {"path": f"stack/{path}", "uniqueId": path.replace("/", "_")}}}


def _json_iam(n: int) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """The IAM part of one copy of the mix, in JSON syntax: resources by type, and the
    policy document the GitHub role's trust is."""
    github = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    document = {
        **_metadata(f"ci_{n}_trust"),
        "statement": [
            {
                "actions": ["sts:AssumeRoleWithWebIdentity"],
                "principals": [{"type": "Federated", "identifiers": [github]}],
                "condition": [
                    {
                        "test": "StringEquals",
                        "variable": "token.actions.githubusercontent.com:aud",
                        "values": ["sts.amazonaws.com"],
                    },
                    {
                        "test": "StringLike",
                        "variable": "token.actions.githubusercontent.com:sub",
                        "values": [f"repo:octo-org/app-{n}:ref:refs/heads/main"],
                    },
                ],
            }
        ],
    }
    lambda_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ],
    }
    resources: dict[str, dict[str, object]] = {
        "aws_iam_role": {
            f"ci_{n}": {
                **_metadata(f"ci_{n}"),
                "name": f"ci-{n}",
                "assume_role_policy": f"${{data.aws_iam_policy_document.ci_{n}_trust.json}}",
            },
            f"service_{n}": {
                **_metadata(f"service_{n}"),
                "name": f"service-{n}",
                "assume_role_policy": json.dumps(lambda_trust),
            },
        },
        "aws_iam_user": {f"user_{n}": {**_metadata(f"user_{n}"), "name": f"user-{n}"}},
        "aws_iam_access_key": {
            f"user_{n}": {**_metadata(f"key_{n}"), "user": f"${{aws_iam_user.user_{n}.name}}"}
        },
    }
    return resources, document


def generate_json(root: Path, megabytes: float) -> int:
    """Write one ``cdk.tf.json`` of about ``megabytes``; returns how many resources."""
    resources: dict[str, dict[str, object]] = {}
    documents: dict[str, object] = {}
    size = n = count = 0
    while size < megabytes * 850_000:  # what json.dumps measures, short of the indented file
        if n % 50 == 0:  # 4 IAM resources for every 100 buckets and queues
            iam, document = _json_iam(n)
            for kind, blocks in iam.items():
                resources.setdefault(kind, {}).update(blocks)
                count += len(blocks)
            documents[f"ci_{n}_trust"] = document
            size += len(json.dumps(iam, indent=2)) + len(json.dumps(document, indent=2))
        bucket = {
            **_metadata(f"bucket_{n}"),
            "bucket": f"octo-bucket-{n}",
            "tags": {"Team": "platform", "Index": str(n)},
        }
        queue = {
            **_metadata(f"queue_{n}"),
            "name": f"queue-{n}",
            "message_retention_seconds": 86400,
            "tags": {"Team": "platform"},
        }
        resources.setdefault("aws_s3_bucket", {})[f"bucket_{n}"] = bucket
        resources.setdefault("aws_sqs_queue", {})[f"queue_{n}"] = queue
        size += len(json.dumps(bucket, indent=2)) + len(json.dumps(queue, indent=2)) + 80
        count += 2
        n += 1
    stack = {
        "//": {"metadata": {"backend": "local", "stackName": "bench", "version": "0.20.0"}},
        "provider": {"aws": [{"region": "us-east-1"}]},
        "data": {"aws_iam_policy_document": documents},
        "resource": resources,
    }
    root.mkdir(parents=True)
    (root / "cdk.tf.json").write_text(json.dumps(stack, indent=2))
    return count


def run(command: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (user + system), peak RSS in MB and exit code of one
    child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def measure(command: list[str], repeat: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds and the largest peak RSS of ``repeat`` runs."""
    times, cpus, peaks = [], [], []
    for _ in range(repeat):
        elapsed, cpu, peak, code = run(command)
        if code not in (0, 1):
            sys.exit(f"{command} failed with exit code {code}")
        times.append(elapsed)
        cpus.append(cpu)
        peaks.append(peak)
    return statistics.median(times), statistics.median(cpus), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--json", type=float, metavar="MB", help="one cdk.tf.json of about MB megabytes"
    )
    args = parser.parse_args()
    keyless = shutil.which("keyless", path=str(Path(sys.executable).parent)) or "keyless"
    with tempfile.TemporaryDirectory(prefix="keyless-bench-iac-") as temporary:
        tree = Path(temporary) / "tree"
        if args.json:
            # Written by a child process: a child's peak RSS counts its parent's at the
            # fork (Linux keeps it across exec), and the document built is hundreds of MB.
            script = (
                "import sys; from pathlib import Path; "
                f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                "from bench_iac import generate_json; "
                "print(generate_json(Path(sys.argv[1]), float(sys.argv[2])))"
            )
            written = subprocess.run(
                [sys.executable, "-c", script, str(tree), str(args.json)],
                check=True,
                capture_output=True,
                text=True,
            )
            count = int(written.stdout)
            files = [str(tree / "cdk.tf.json")]
            baseline = "json.loads (baseline)"
            parse = (
                "import sys, json\n"
                "for name in sys.argv[1:]:\n"
                "    json.loads(open(name, encoding='utf-8').read())\n"
            )
            megabytes = Path(files[0]).stat().st_size / 1_000_000
            print(f"{count} resources in one cdk.tf.json of {megabytes:.1f} MB")
        else:
            count = generate(tree, args.resources)
            files = sorted(str(p) for p in tree.rglob("*.tf"))
            baseline = "hcl2 parse (baseline)"
            parse = (
                "import sys, hcl2\n"
                "for name in sys.argv[1:]:\n"
                "    hcl2.parses_to_tree(open(name, encoding='utf-8').read())\n"
            )
            print(f"{count} resources in {len(files)} files")
        commands = {
            baseline: [sys.executable, "-c", parse, *files],
            "keyless iac": [keyless, "iac", str(tree), "--format", "json"],
        }
        results = {name: measure(command, args.repeat) for name, command in commands.items()}
    base_time, base_cpu, base_peak = results[baseline]
    print(f"{'':<24} {'wall s':>7}  {'x':>6}   {'CPU s':>7}  {'x':>6}   {'peak MB':>7}  {'x':>5}")
    for name, (seconds, cpu, peak) in results.items():
        print(
            f"{name:<24} {seconds:7.2f}  x{seconds / base_time:5.2f}   {cpu:7.2f}  "
            f"x{cpu / base_cpu:5.2f}   {peak:7.1f}  x{peak / base_peak:4.2f}"
        )
    seconds, cpu, _ = results["keyless iac"]
    verdict = "within" if seconds <= GOAL_SECONDS else "ABOVE"
    print(
        f"keyless iac: {seconds:.2f} s wall ({cpu:.2f} s CPU), {verdict} the goal of "
        f"{GOAL_SECONDS:.0f} s (wall time counts on an idle machine; CPU time does not "
        "depend on what else runs)"
    )


if __name__ == "__main__":
    main()
