"""`infra/terraform` applied to an emulator, then finished by the emulator adapter.

What differs from AWS, all here: the configuration is applied without its override files (the
one thing needing the AWS provider >= 6.25, durable_config, lives in one; see
modules/lambda_function/durable_config_override.tf), with zip packages, and then each durable
function is marked durable the way MiniStack needs (a key AWS does not have, see
:mod:`ministack_durable`), and each function that may create schedules is granted them where
MiniStack checks them (see :func:`ministack_schedule_grant`), and each bucket policy spares the roles'
sessions as MiniStack names them (see :func:`ministack_bucket_policy`), as the embedded deployer does.
The result is read back by name (:mod:`discovery`), so what Terraform
made is described exactly as a stack of the embedded deployer.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from pizza_ops.deploy import iam
from pizza_ops.deploy.buckets import ministack_bucket_policy
from pizza_ops.deploy.discovery import discover_outputs
from pizza_ops.deploy.ministack_durable import mark_durable
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.deploy.scheduling import ministack_schedule_grant
from pizza_ops.deploy.zips import write_zips
from pizza_ops.system import SystemDeclaration

# Where a filesystem mirror of providers is looked for when PIZZA_TF_PLUGIN_DIR does not say
# (these machines have the AWS provider there: nothing can be downloaded).
_PLUGIN_DIRS = (Path("/opt/tf-plugins"), Path.home() / ".terraform.d" / "plugins")


class TerraformFailed(RuntimeError):
    """A terraform command failed; the message is its last lines of output."""


@dataclass
class TerraformOnEmulator:
    system: SystemDeclaration
    terraform_dir: Path
    services_dir: Path
    work_dir: Path
    endpoint: str
    otlp_endpoint: str
    session: boto3.session.Session
    region: str = "us-east-1"
    variables: Mapping[str, str] = field(default_factory=dict)

    def apply(self) -> StackOutputs:
        config = self._prepared_config()
        write_zips(self.system.packages(), self.work_dir / "lambda", self.services_dir)
        self._terraform(config, "init", "-backend=false", "-input=false", *_plugin_dir_option())
        self._apply(config)
        for name, function in self.system.functions.items():
            if function.durable:
                settings = {
                    "ExecutionTimeout": function.durable.execution_timeout_seconds,
                    "RetentionPeriodInDays": function.durable.retention_days,
                }
                mark_durable(self.session, self.endpoint, self.region, self.system.physical_name(name), settings)
        self._grant_schedules_where_ministack_checks()
        self._spare_role_sessions_in_bucket_policies()
        return discover_outputs(self.session, self.endpoint, self.region, self.system)

    def _apply(self, config: Path) -> None:
        """``terraform apply``, adopting a table the provider's own retry found already made.

        Seen once in CI: MiniStack made a table but answered CreateTable too slowly, the provider
        retried it and got ResourceInUseException, so the table exists outside the state. Such a
        table is imported and the apply run again (an emulator-only workaround: on AWS, a failed
        apply is the operator's to look at).
        """
        for _ in range(3):
            try:
                self._terraform(config, "apply", "-auto-approve", "-input=false", *self._var_options())
                return
            except TerraformFailed as failure:
                orphans = tables_made_outside_the_state(str(failure))
                if not orphans:
                    raise
                for address, table in orphans:
                    self._terraform(config, "import", "-input=false", *self._var_options(), address, table)
        self._terraform(config, "apply", "-auto-approve", "-input=false", *self._var_options())

    def _grant_schedules_where_ministack_checks(self) -> None:
        client = {"endpoint_url": self.endpoint, "region_name": self.region}
        lambda_client, iam_client = self.session.client("lambda", **client), self.session.client("iam", **client)
        account = str(self.session.client("sts", **client).get_caller_identity()["Account"])
        for name, function in self.system.functions.items():
            groups = [p.name for p in function.permissions if p.kind == "schedule_group" and p.access == "create"]
            if not groups:
                continue
            schedules = [
                f"arn:aws:scheduler:{self.region}:{account}:schedule/{self.system.physical_name(group)}/*"
                for group in groups
            ]
            policy = ministack_schedule_grant(
                {"Version": "2012-10-17", "Statement": [_allow(iam.SCHEDULE_CREATE, arn) for arn in schedules]}
            )
            role = lambda_client.get_function_configuration(FunctionName=self.system.physical_name(name))["Role"]
            iam_client.put_role_policy(
                RoleName=role.rsplit("/", 1)[-1],
                PolicyName="ministack-schedule-grant",
                PolicyDocument=json.dumps(policy),
            )

    def _spare_role_sessions_in_bucket_policies(self) -> None:
        """Each bucket policy's spared roles named as their sessions too (see :func:`ministack_bucket_policy`)."""
        client = {"endpoint_url": self.endpoint, "region_name": self.region}
        s3 = self.session.client("s3", **client)
        account = str(self.session.client("sts", **client).get_caller_identity()["Account"])
        for name in self.system.buckets:
            bucket = self.system.bucket_name(name, account, self.region)
            try:
                policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
            except ClientError as error:
                if error.response["Error"]["Code"] != "NoSuchBucketPolicy":
                    raise
                continue
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(ministack_bucket_policy(policy)))

    def destroy(self) -> None:
        self._terraform(self.work_dir / "terraform", "destroy", "-auto-approve", "-input=false", *self._var_options())

    def _prepared_config(self) -> Path:
        """A copy of the configuration without override files (nor a previous run's state)."""
        config = self.work_dir / "terraform"
        shutil.rmtree(config, ignore_errors=True)
        shutil.copytree(
            self.terraform_dir,
            config,
            ignore=shutil.ignore_patterns("*_override.tf", "override.tf", ".terraform*", "*.tfstate*"),
        )
        return config

    def _var_options(self) -> list[str]:
        variables = {
            "aws_endpoint_url": self.endpoint,
            "aws_region": self.region,
            "lambda_package_type": "Zip",
            "lambda_zip_dir": str(self.work_dir / "lambda"),
            "otlp_endpoint": self.otlp_endpoint,
            **self.variables,
        }
        return [f"-var={name}={value}" for name, value in variables.items()]

    def _terraform(self, config: Path, *arguments: str) -> None:
        command = ["terraform", f"-chdir={config}", *arguments, "-no-color"]
        environment = {**os.environ, "TF_IN_AUTOMATION": "1"}
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        (self.work_dir / f"terraform-{arguments[0]}.log").write_text(done.stdout + done.stderr, encoding="utf-8")
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise TerraformFailed(f"terraform {arguments[0]} failed:\n{tail}")


_TABLE_ALREADY_EXISTS = re.compile(
    r"ResourceInUseException: Table already exists: (?P<table>[\w.-]+)\s+with (?P<address>\S+aws_dynamodb_table\S*),"
)


def tables_made_outside_the_state(terraform_output: str) -> list[tuple[str, str]]:
    """(resource address, table name) of each CreateTable refused because the table exists."""
    return [(m["address"], m["table"]) for m in _TABLE_ALREADY_EXISTS.finditer(terraform_output)]


def _plugin_dir_option() -> list[str]:
    configured = os.environ.get("PIZZA_TF_PLUGIN_DIR")
    candidates = [Path(configured)] if configured else list(_PLUGIN_DIRS)
    for directory in candidates:
        if (directory / "registry.terraform.io").is_dir():
            return [f"-plugin-dir={directory}"]
    return []


def _allow(actions: list[str], resource: str) -> dict[str, object]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}
