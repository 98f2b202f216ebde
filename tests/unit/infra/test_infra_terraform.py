"""Static checks of infra/terraform: it parses, its wiring is right, and it agrees with src/airq.

There is no terraform binary or provider registry here, so these tests read the HCL with
python-hcl2 and assert what `terraform plan` could not tell us anyway: that alarms drive the right
policies, the schedule runs the ingest task, roles are least-privilege, and the DynamoDB/SQS
definitions equal the shared package's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest
import tfparse
from tfparse import MODULES, ROOT, TERRAFORM, expr, module, module_of_call, resolve_root_string, root

from airq import tables
from airq.config import Settings
from airq.worker.options import PREFIX as WORKER_PREFIX
from airq.worker.options import WorkerOptions

SETTINGS = Settings()
SETTINGS_ENV = {"AIRQ_" + f.name.upper() for f in fields(Settings)}
WORKER_ENV = SETTINGS_ENV | {WORKER_PREFIX + f.name.upper() for f in fields(WorkerOptions)}
AIRQ_NAME = re.compile(r"\bAIRQ_[A-Z0-9_]+\b")


# ------------------------------------------------------------------------------------ structure


@pytest.mark.parametrize("path", tfparse.tf_files(), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_every_tf_file_parses(path: Path) -> None:
    assert isinstance(tfparse.parse_file(path), dict)


def test_layout_has_modules_and_a_root() -> None:
    names = {p.name for p in tfparse.module_dirs()}
    assert {"network", "ecs_cluster", "service", "data", "alb", "queue_scaling", "observability"} <= names
    assert (ROOT / "main.tf").is_file()


@pytest.mark.parametrize("directory", [*tfparse.module_dirs(), ROOT], ids=lambda p: p.name)
def test_standard_files(directory: Path) -> None:
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (directory / name).is_file(), f"{directory.relative_to(TERRAFORM)} lacks {name}"


@pytest.mark.parametrize("directory", [*tfparse.module_dirs(), ROOT], ids=lambda p: p.name)
def test_every_variable_has_type_and_description(directory: Path) -> None:
    variables = tfparse.load_dir(directory).variables
    assert variables, f"{directory.name} declares no variables"
    for name, body in variables.items():
        assert body.get("type"), f"{directory.name}: variable {name} has no type"
        assert len(str(body.get("description", ""))) >= 10, f"{directory.name}: variable {name} undescribed"


@pytest.mark.parametrize("directory", [*tfparse.module_dirs(), ROOT], ids=lambda p: p.name)
def test_every_output_is_described(directory: Path) -> None:
    for name, body in tfparse.load_dir(directory).outputs.items():
        assert body.get("description"), f"{directory.name}: output {name} undescribed"


@pytest.mark.parametrize("directory", [*tfparse.module_dirs(), ROOT], ids=lambda p: p.name)
def test_referenced_variables_and_locals_are_declared(directory: Path) -> None:
    model = tfparse.load_dir(directory)
    text = model.text()
    used_vars = set(re.findall(r"\bvar\.([A-Za-z0-9_]+)", text))
    assert used_vars <= set(model.variables), f"undeclared: {sorted(used_vars - set(model.variables))}"
    used_locals = set(re.findall(r"\blocal\.([A-Za-z0-9_]+)", text))
    assert used_locals <= set(model.locals), f"undeclared locals: {sorted(used_locals - set(model.locals))}"


@pytest.mark.parametrize("call", sorted(root().modules))
def test_module_calls_match_module_interfaces(call: str) -> None:
    body = root().modules[call]
    target = module_of_call(call)
    assert target.path.is_relative_to(MODULES)
    arguments = set(body) - {"source", "providers", "depends_on", "count", "for_each"}
    unknown = arguments - set(target.variables)
    assert not unknown, f"module.{call} passes unknown variables {sorted(unknown)}"
    required = {name for name, v in target.variables.items() if "default" not in v}
    missing = required - arguments
    assert not missing, f"module.{call} misses required variables {sorted(missing)}"


def test_root_references_existing_module_outputs() -> None:
    text = root().text()
    for call, output in set(re.findall(r"\bmodule\.([a-z_]+)\.([a-z_0-9]+)", text)):
        assert call in root().modules, f"module.{call} is not declared"
        assert output in module_of_call(call).outputs, f"module.{call} has no output {output}"


def test_checkov_skips_are_justified() -> None:
    skips = []
    for path in tfparse.tf_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                match = re.search(r"#checkov:skip=(CKV2?_AWS_\d+):(.+)$", line.strip())
                assert match, f"{path.name}: malformed skip {line.strip()!r}"
                assert len(match.group(2).split()) >= 8, f"{path.name}: {match.group(1)} needs a real reason"
                skips.append(match.group(1))
    assert skips, "expected the documented checkov skips"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="no terraform binary")
def test_terraform_fmt() -> None:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------- agreement with airq


def _attribute_definitions(body: dict) -> list[dict[str, str]]:
    return sorted(
        ({"AttributeName": a["name"], "AttributeType": a["type"]} for a in body["attribute"]),
        key=lambda a: a["AttributeName"],
    )


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def test_dynamodb_tables_equal_the_shared_definitions() -> None:
    data = module("data")
    by_name = {}
    for resource_name, body in data.resources_of("aws_dynamodb_table").items():
        variable = expr(body["name"]).removeprefix("var.")
        by_name[resolve_root_string(root().modules["data"][variable])] = (resource_name, body)

    definitions = tables.table_definitions(SETTINGS)
    assert set(by_name) == {d["TableName"] for d in definitions}
    assert data.default("billing_mode") == "PAY_PER_REQUEST"
    assert root().default("dynamodb_billing_mode") == "PAY_PER_REQUEST"

    for definition in definitions:
        resource_name, body = by_name[definition["TableName"]]
        assert definition["BillingMode"] == "PAY_PER_REQUEST"
        assert _key_schema(body["hash_key"], body.get("range_key")) == definition["KeySchema"], resource_name
        assert _attribute_definitions(body) == sorted(
            definition["AttributeDefinitions"], key=lambda a: a["AttributeName"]
        ), resource_name
        indexes = {
            gsi["name"]: {
                "IndexName": gsi["name"],
                "KeySchema": _key_schema(gsi["hash_key"], gsi.get("range_key")),
                "Projection": {"ProjectionType": gsi["projection_type"]},
            }
            for gsi in body.get("global_secondary_index", [])
        }
        expected = {gsi["IndexName"]: gsi for gsi in definition.get("GlobalSecondaryIndexes", [])}
        assert indexes == expected, resource_name

        (ttl,) = body["ttl"]
        assert ttl["enabled"] is True
        assert expr(ttl["attribute_name"]) == "var.ttl_attribute"
        (pitr,) = body["point_in_time_recovery"]
        assert expr(pitr["enabled"]) == "var.point_in_time_recovery"
    assert data.default("ttl_attribute") == tables.TTL_ATTRIBUTE
    assert "ttl_attribute" not in root().modules["data"], "the TTL attribute comes from airq.tables only"
    assert root().default("point_in_time_recovery") is True


def test_queue_and_bucket_names_equal_settings() -> None:
    call = root().modules["data"]
    assert resolve_root_string(call["exports_queue_name"]) == SETTINGS.exports_queue
    assert resolve_root_string(call["exports_dlq_name"]) == SETTINGS.exports_dlq
    # Bucket names are global: the default adds account and region, and the task gets it by env.
    assert root().locals["common_environment"]["AIRQ_EXPORTS_BUCKET"] == "${module.data.exports_bucket_name}"


def test_redrive_policy_uses_the_worker_max_receives() -> None:
    queue = module("data").resource("aws_sqs_queue", "exports")
    policy = queue["redrive_policy"]
    assert "deadLetterTargetArn = aws_sqs_queue.exports_dlq.arn" in policy
    assert re.search(r"maxReceiveCount\s*=\s*var\.max_receive_count\b", policy)
    assert expr(root().modules["data"]["max_receive_count"]) == "var.worker_max_receives"
    assert root().default("worker_max_receives") == SETTINGS.worker_max_receives
    assert expr(queue["visibility_timeout_seconds"]) == "var.visibility_timeout_seconds"
    assert expr(root().modules["data"]["visibility_timeout_seconds"]) == "var.worker_visibility_timeout"
    assert root().default("worker_visibility_timeout") == SETTINGS.worker_visibility_timeout
    for name in ("exports", "exports_dlq"):
        assert module("data").resource("aws_sqs_queue", name)["sqs_managed_sse_enabled"] is True


def test_readings_retention_matches_settings() -> None:
    assert root().default("retention_days") == SETTINGS.retention_days
    assert root().locals["common_environment"]["AIRQ_RETENTION_DAYS"] == "${tostring(var.retention_days)}"


def test_container_environment_names_are_settings() -> None:
    """Python services get airq.config.Settings names (the worker also its AIRQ_WORKER_* options);
    web gets only the variables its image's Dockerfile declares."""
    common = root().locals["common_environment"]
    environment = root().locals["environment"]
    assert set(AIRQ_NAME.findall(json.dumps(common))) <= SETTINGS_ENV
    for service, allowed in (("api", SETTINGS_ENV), ("ingest", SETTINGS_ENV), ("worker", WORKER_ENV)):
        names = set(AIRQ_NAME.findall(environment[service]))
        assert names <= allowed, f"{service}: not settings of the service: {sorted(names - allowed)}"
    dockerfile = tfparse.REPO / "services" / "web" / "Dockerfile"
    web_names = set(AIRQ_NAME.findall(environment["web"]))
    assert web_names, "web needs AIRQ_API_ADDRESS: there is no host named api on ECS"
    if dockerfile.is_file():
        declared = set(re.findall(r"\b(AIRQ_[A-Z0-9_]+)=", dockerfile.read_text(encoding="utf-8")))
        assert web_names <= declared, f"web image does not read {sorted(web_names - declared)}"
    everything = set(re.findall(r"\b(AIRQ_[A-Z0-9_]+)\s*=", root().text()))  # every one set anywhere
    assert everything <= WORKER_ENV | web_names, sorted(everything - WORKER_ENV - web_names)
    environments = json.dumps([common, environment])
    assert "AWS_ENDPOINT_URL" not in environments, "on AWS the SDK's default endpoints apply"


def test_each_service_gets_its_settings() -> None:
    common = root().locals["common_environment"]
    for variable, output in {
        "AIRQ_READINGS_TABLE": "readings_table_name",
        "AIRQ_DAILY_TABLE": "daily_table_name",
        "AIRQ_JOBS_TABLE": "jobs_table_name",
        "AIRQ_EXPORTS_QUEUE": "exports_queue_name",
        "AIRQ_EXPORTS_DLQ": "exports_dlq_name",
    }.items():
        assert common[variable] == "${module.data." + output + "}"
    environment = root().locals["environment"]
    assert "AIRQ_CLOUDWATCH_NAMESPACE = var.metrics_namespace" in environment["ingest"]
    assert root().default("metrics_namespace") == "airq"
    assert "AIRQ_WORKER_MAX_RECEIVES = tostring(var.worker_max_receives)" in environment["worker"]
    for service in ("api", "worker", "ingest"):
        assert "local.common_environment" in environment[service]
        assert expr(root().modules[service]["environment"]) == f"local.environment.{service}"


# ---------------------------------------------------------------------------------- compute


def test_four_images_and_repositories() -> None:
    repositories = root().locals["repositories"]
    assert {k: resolve_root_string(v) for k, v in repositories.items()} == {
        s: f"airq-{s}" for s in ("ingest", "api", "worker", "web")
    }
    for service in ("api", "web", "worker", "ingest"):
        call = root().modules[service]
        assert call["source"] == "../../modules/service"
        assert expr(call["image"]) == f"local.images.{service}"
        assert expr(call["repository_arn"]) == f"module.ecr.repository_arns[local.repositories.{service}]"
        assert call["readonly_root_filesystem"] is True, f"{service} should run read-only"
    repo = module("ecr").resource("aws_ecr_repository", "this")
    assert repo["image_tag_mutability"] == "IMMUTABLE"
    assert repo["image_scanning_configuration"][0]["scan_on_push"] is True


def test_task_definitions_are_bridge_mode_ec2_with_hardening() -> None:
    service = module("service")
    task = service.resource("aws_ecs_task_definition", "this")
    assert task["network_mode"] == "bridge"
    assert task["requires_compatibilities"] == ["EC2"]
    assert expr(task["task_role_arn"]) == "aws_iam_role.task.arn"
    assert expr(task["execution_role_arn"]) == "aws_iam_role.execution.arn"
    container = service.locals["container"]
    assert expr(container["readonlyRootFilesystem"]) == "var.readonly_root_filesystem"
    assert container["privileged"] is False
    assert container["dockerSecurityOptions"] == ["no-new-privileges"]
    assert container["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert "hostPort = 0" in container["portMappings"]
    log_group = service.resource("aws_cloudwatch_log_group", "this")
    assert expr(log_group["retention_in_days"]) == "var.log_retention_days"
    assert 1 <= root().default("log_retention_days") <= 90


def test_cluster_runs_on_ec2_with_managed_scaling() -> None:
    cluster = module("ecs_cluster")
    ami = cluster.locals["ami_parameter"]
    assert "/aws/service/ecs/optimized-ami/amazon-linux-2023/" in ami
    assert expr(cluster.data[("aws_ssm_parameter", "ami")]["name"]) == "local.ami_parameter"
    template = cluster.resource("aws_launch_template", "this")
    assert expr(template["image_id"]) == "data.aws_ssm_parameter.ami.value"
    metadata = template["metadata_options"][0]
    assert metadata["http_tokens"] == "required"
    assert metadata["http_put_response_hop_limit"] == 1, (
        "bridge-mode tasks must not reach instance credentials"
    )
    assert template["block_device_mappings"][0]["ebs"][0]["encrypted"] is True

    asg = cluster.resource("aws_autoscaling_group", "on_demand")
    assert asg["protect_from_scale_in"] is True
    provider = cluster.resource("aws_ecs_capacity_provider", "on_demand")["auto_scaling_group_provider"][0]
    assert expr(provider["auto_scaling_group_arn"]) == "aws_autoscaling_group.on_demand.arn"
    assert provider["managed_termination_protection"] == "ENABLED"
    assert provider["managed_scaling"][0]["status"] == "ENABLED"
    spot = cluster.resource("aws_autoscaling_group", "spot")
    distribution = spot["mixed_instances_policy"][0]["instances_distribution"][0]
    assert distribution["on_demand_percentage_above_base_capacity"] == 0
    assert "var.worker_use_spot" in root().locals["worker_capacity"]


def test_web_and_api_sit_behind_the_alb_with_healthz() -> None:
    alb = module("alb")
    for name in ("web", "api"):
        check = alb.resource("aws_lb_target_group", name)["health_check"][0]
        assert expr(check["path"]) == f"var.{name}_health_check_path"
        assert alb.resource("aws_lb_target_group", name)["target_type"] == "instance"
    assert alb.default("api_health_check_path") == "/healthz"
    # nginx's own liveness: its /healthz is proxied to the api and would tie web's health to it.
    assert alb.default("web_health_check_path") == "/nginx-healthz"
    rule = alb.resource("aws_lb_listener_rule", "api")
    assert expr(rule["action"][0]["target_group_arn"]) == "aws_lb_target_group.api.arn"
    assert {"/api", "/api/*", "/healthz", "/readyz"} <= set(alb.default("api_path_patterns"))
    assert "/metrics" in alb.default("blocked_path_patterns")
    assert expr(root().modules["api"]["target_group_arn"]) == "module.alb.api_target_group_arn"
    assert expr(root().modules["web"]["target_group_arn"]) == "module.alb.web_target_group_arn"
    assert root().modules["api"]["container_port"] == 8000
    assert root().modules["web"]["container_port"] == 8080
    assert alb.resource("aws_lb", "this")["drop_invalid_header_fields"] is True


def test_instances_accept_only_the_alb() -> None:
    cluster = module("ecs_cluster")
    ingress = cluster.resources_of("aws_vpc_security_group_ingress_rule")
    assert list(ingress) == ["from_alb"]
    assert expr(ingress["from_alb"]["referenced_security_group_id"]) == "var.alb_security_group_id"
    assert expr(root().modules["ecs_cluster"]["alb_security_group_id"]) == "module.alb.security_group_id"


def test_network_has_no_nat_and_gateway_endpoints() -> None:
    network = module("network")
    assert not network.resources_of("aws_nat_gateway")
    gateway = network.resource("aws_vpc_endpoint", "gateway")
    assert "dynamodb" in gateway["for_each"] and "s3" in gateway["for_each"]
    assert gateway["vpc_endpoint_type"] == "Gateway"
    assert network.resource("aws_subnet", "public")["map_public_ip_on_launch"] is False


# ----------------------------------------------------------------------------------- scaling


def test_queue_alarms_drive_worker_step_scaling() -> None:
    scaling = module("queue_scaling")
    call = root().modules["worker_scaling"]
    assert call["source"] == "../../modules/queue_scaling"
    assert expr(call["scalable_target_resource_id"]) == "module.worker.scalable_target_resource_id"
    assert expr(call["queue_name"]) == "module.data.exports_queue_name"

    policies = scaling.resources_of("aws_appautoscaling_policy")
    for alarm_name, policy_name, sign in (("queue_high", "scale_out", 1), ("queue_low", "scale_in", -1)):
        alarm = scaling.resource("aws_cloudwatch_metric_alarm", alarm_name)
        assert alarm["namespace"] == "AWS/SQS"
        assert alarm["metric_name"] == "ApproximateNumberOfMessagesVisible"
        assert expr(alarm["dimensions"]["QueueName"]) == "var.queue_name"
        assert [expr(a) for a in alarm["alarm_actions"]] == [f"aws_appautoscaling_policy.{policy_name}.arn"]
        policy = policies[policy_name]
        assert policy["policy_type"] == "StepScaling"
        assert expr(policy["resource_id"]) == "var.scalable_target_resource_id"
        steps = policy["step_scaling_policy_configuration"][0]["step_adjustment"]
        assert steps and all(step["scaling_adjustment"] * sign > 0 for step in steps)
    assert (
        "GreaterThan" in scaling.resource("aws_cloudwatch_metric_alarm", "queue_high")["comparison_operator"]
    )
    assert "LessThan" in scaling.resource("aws_cloudwatch_metric_alarm", "queue_low")["comparison_operator"]

    # ... and the target they scale is the worker service, bounded by the min/max variables.
    service = module("service")
    target = service.resource("aws_appautoscaling_target", "this")
    assert target["resource_id"] == "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert expr(target["min_capacity"]) == "var.min_count"
    assert expr(target["max_capacity"]) == "var.max_count"
    assert expr(service.outputs["scalable_target_resource_id"]["value"]) == (
        "one(aws_appautoscaling_target.this[*].resource_id)"
    )
    worker = root().modules["worker"]
    assert expr(worker["min_count"]) == "var.worker_min_count"
    assert expr(worker["max_count"]) == "var.worker_max_count"
    assert root().default("worker_min_count") <= root().default("worker_max_count")
    assert "target_group_arn" not in worker and worker.get("create_service", True) is True
    assert service.resource("aws_ecs_service", "this")["lifecycle"][0]["ignore_changes"] == ["desired_count"]


def test_api_scales_by_target_tracking() -> None:
    policy = module("service").resource("aws_appautoscaling_policy", "target_tracking")
    assert policy["policy_type"] == "TargetTrackingScaling"
    tracking = root().modules["api"]["target_tracking"]
    assert "ECSServiceAverageCPUUtilization" in tracking and "ALBRequestCountPerTarget" in tracking
    assert "module.alb.api_target_group_arn_suffix" in tracking
    assert root().default("api_min_count") <= root().default("api_max_count")


def test_schedule_runs_the_ingest_task_once() -> None:
    ingest = root().modules["ingest"]
    assert ingest["create_service"] is False
    assert root().default("ingest_command") == ["airq-ingest", "--once"]
    assert expr(ingest["command"]) == "var.ingest_command"

    call = root().modules["ingest_schedule"]
    assert call["source"] == "../../modules/scheduled_task"
    assert expr(call["task_definition_arn"]) == "module.ingest.task_definition_arn"
    assert expr(call["cluster_arn"]) == "module.ecs_cluster.cluster_arn"
    assert expr(call["schedule_expression"]) == "var.ingest_schedule"
    assert root().default("ingest_schedule") == "rate(1 hour)"

    schedule = module("scheduled_task").resource("aws_scheduler_schedule", "this")
    target = schedule["target"][0]
    assert expr(target["arn"]) == "var.cluster_arn"
    assert expr(target["role_arn"]) == "aws_iam_role.scheduler.arn"
    assert expr(target["ecs_parameters"][0]["task_definition_arn"]) == "var.task_definition_arn"
    assert (
        expr(module("service").outputs["task_definition_arn"]["value"]) == "aws_ecs_task_definition.this.arn"
    )


# ------------------------------------------------------------------------------------ IAM


def _statements(kind_name: tuple[str, str], where: tfparse.TfDir) -> list[dict]:
    return where.data[kind_name]["statement"]


def _actions(statements: list[dict]) -> set[str]:
    return {action for s in statements for action in s["actions"]}


EXPECTED_TASK_ACTIONS = {
    "api": {
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "sqs:SendMessage",
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "s3:GetObject",
        "s3:ListBucket",
    },
    "worker": {
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:GetQueueAttributes",
        "s3:PutObject",
        "s3:GetObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
    },
    "ingest": {
        "dynamodb:BatchWriteItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:DescribeTable",
        "cloudwatch:PutMetricData",
    },
}


@pytest.mark.parametrize("service", sorted(EXPECTED_TASK_ACTIONS))
def test_task_roles_are_least_privilege(service: str) -> None:
    statements = _statements(("aws_iam_policy_document", service), root())
    assert _actions(statements) == EXPECTED_TASK_ACTIONS[service]
    assert root().modules[service]["task_role_policies"] == {
        "data-access": f"${{data.aws_iam_policy_document.{service}.json}}"
    }
    for statement in statements:
        assert statement.get("effect", "Allow") == "Allow"
        for action in statement["actions"]:
            assert "*" not in action, f"{service}: wildcard action {action}"
        for resource in statement["resources"]:
            if resource == "*":
                # Only PutMetricData, which has no resource-level permissions, scoped by namespace.
                assert statement["actions"] == ["cloudwatch:PutMetricData"]
                (condition,) = statement["condition"]
                assert condition["variable"] == "cloudwatch:namespace"
                assert condition["values"] == ["${var.metrics_namespace}"]
            else:
                assert resource.startswith("${module.data."), f"{service}: {resource} is not a data resource"


def test_roles_touch_only_their_own_data() -> None:
    def resources(service: str, prefix: str) -> set[str]:
        statements = _statements(("aws_iam_policy_document", service), root())
        return {
            r for s in statements if any(a.startswith(prefix) for a in s["actions"]) for r in s["resources"]
        }

    assert resources("ingest", "dynamodb:") == {
        "${module.data.readings_table_arn}",
        "${module.data.daily_table_arn}",
    }
    assert "${module.data.jobs_table_arn}" in resources("api", "dynamodb:PutItem")
    assert "${module.data.readings_table_arn}" not in resources("api", "dynamodb:PutItem")
    assert resources("api", "sqs:") == {"${module.data.exports_queue_arn}"}
    # The worker also watches the DLQ (depth, and a peek that fails jobs of dead workers).
    assert resources("worker", "sqs:") == {
        "${module.data.exports_queue_arn}",
        "${module.data.exports_dlq_arn}",
    }
    assert resources("worker", "sqs:DeleteMessage") == {"${module.data.exports_queue_arn}"}
    assert resources("worker", "s3:") == {"${module.data.exports_bucket_arn}/*"}
    assert resources("api", "s3:GetObject") == {"${module.data.exports_bucket_arn}/*"}
    assert resources("api", "s3:ListBucket") == {"${module.data.exports_bucket_arn}"}
    for service in ("api", "worker"):
        assert "${module.data.readings_by_sensor_index_arn}" in resources(service, "dynamodb:Query")
    assert not any(a.startswith("dynamodb:") and "Write" in a for a in EXPECTED_TASK_ACTIONS["api"])
    assert not root().modules["web"]["task_role_policies"], "nginx needs no AWS permissions"


@pytest.mark.parametrize(
    ("where", "document"),
    [("service", "execution"), ("scheduled_task", "run_task"), ("network", "flow_logs")],
)
def test_infrastructure_roles_have_no_wildcard_actions(where: str, document: str) -> None:
    for statement in _statements(("aws_iam_policy_document", document), module(where)):
        for action in statement["actions"]:
            assert "*" not in action
        if statement["resources"] == ["*"]:
            assert statement["actions"] == ["ecr:GetAuthorizationToken"], statement


def test_task_roles_trust_only_ecs_tasks_of_this_account() -> None:
    (statement,) = module("service").data[("aws_iam_policy_document", "tasks_assume")]["statement"]
    assert statement["principals"][0]["identifiers"] == ["ecs-tasks.amazonaws.com"]
    assert {c["variable"] for c in statement["condition"]} == {"aws:SourceAccount", "aws:SourceArn"}


# ------------------------------------------------------------------------------ observability


def test_alarms_notify_the_topic() -> None:
    observability = module("observability")
    alarms = observability.resources_of("aws_cloudwatch_metric_alarm")
    assert set(alarms) == {"dlq_not_empty", "ingest_stale", "http_5xx_rate"}
    for name, alarm in alarms.items():
        assert [expr(a) for a in alarm["alarm_actions"]] == ["local.topic"], name
    assert observability.locals["topic"] == "${aws_sns_topic.alerts.arn}"

    dlq = alarms["dlq_not_empty"]
    assert expr(dlq["dimensions"]["QueueName"]) == "var.exports_dlq_name"
    assert dlq["threshold"] == 0 and dlq["comparison_operator"] == "GreaterThanThreshold"
    assert expr(root().modules["observability"]["exports_dlq_name"]) == "module.data.exports_dlq_name"

    stale = alarms["ingest_stale"]
    assert stale["metric_name"] == "IngestSucceeded"
    assert expr(stale["namespace"]) == "var.metrics_namespace"
    assert stale["treat_missing_data"] == "breaching"
    assert stale["comparison_operator"] == "LessThanThreshold"

    rate = alarms["http_5xx_rate"]
    metrics = {q["metric"][0]["metric_name"] for q in rate["metric_query"] if "metric" in q}
    assert metrics == {"RequestCount", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count"}


def test_dashboard_shows_what_operators_need() -> None:
    body = module("observability").locals["widgets"]
    text = json.dumps(body)
    for metric in (
        "TargetResponseTime",
        "HTTPCode_Target_5XX_Count",
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
        "RunningTaskCount",
        "GroupInServiceInstances",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
        "IngestSucceeded",
        "IngestRowsAccepted",
    ):
        assert metric in text, f"dashboard lacks {metric}"
    dashboard = module("observability").resource("aws_cloudwatch_dashboard", "this")
    assert "local.widgets" in dashboard["dashboard_body"]


def test_budget_notifies_the_topic() -> None:
    budget = module("observability").resource("aws_budgets_budget", "monthly")
    assert budget["budget_type"] == "COST" and budget["time_unit"] == "MONTHLY"
    assert {n["notification_type"] for n in budget["notification"]} == {"ACTUAL", "FORECASTED"}
    for notification in budget["notification"]:
        assert [expr(t) for t in notification["subscriber_sns_topic_arns"]] == ["local.topic"]
    assert expr(root().modules["observability"]["monthly_budget_usd"]) == "var.monthly_budget_usd"


def test_data_at_rest_and_lifecycle() -> None:
    data = module("data")
    block = data.resource("aws_s3_bucket_public_access_block", "exports")
    assert all(block[k] is True for k in ("block_public_acls", "block_public_policy", "ignore_public_acls"))
    assert block["restrict_public_buckets"] is True
    rule = data.resource("aws_s3_bucket_lifecycle_configuration", "exports")["rule"][0]
    assert expr(rule["expiration"][0]["days"]) == "var.exports_expiry_days"
    assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 1
    sse = data.resource("aws_s3_bucket_server_side_encryption_configuration", "exports")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"


def test_readme_documents_every_root_variable() -> None:
    readme = (TERRAFORM / "README.md").read_text(encoding="utf-8")
    for name in root().variables:
        assert f"| `{name}` |" in readme, f"README variables table lacks {name}"
    for step in ("terraform init", "terraform apply", "docker buildx build", "terraform destroy"):
        assert step in readme
