# One container image as an ECS task definition (bridge networking on EC2), its log group, task and
# execution roles, and optionally a long-running service with an Application Auto Scaling target.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region     = data.aws_region.current.name
  account_id = data.aws_caller_identity.current.account_id

  container = {
    name                   = var.container_name
    image                  = var.image
    essential              = true
    cpu                    = var.cpu
    memory                 = var.memory
    memoryReservation      = var.memory_reservation
    command                = var.command
    environment            = [for key in sort(keys(var.environment)) : { name = key, value = var.environment[key] }]
    portMappings           = var.container_port == null ? [] : [{ containerPort = var.container_port, hostPort = 0, protocol = "tcp" }]
    readonlyRootFilesystem = var.readonly_root_filesystem
    mountPoints            = [for i, path in var.scratch_paths : { sourceVolume = "scratch-${i}", containerPath = path, readOnly = false }]
    privileged             = false
    dockerSecurityOptions  = ["no-new-privileges"]
    stopTimeout            = var.stop_timeout
    healthCheck = var.health_check_command == null ? null : {
      command     = var.health_check_command
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    ulimits = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
    linuxParameters = {
      initProcessEnabled = true # tini as PID 1: signals reach the process, zombies are reaped
      capabilities       = { drop = ["ALL"] }
      tmpfs = [
        for mount in var.tmpfs_mounts : {
          containerPath = mount.path
          size          = mount.size_mib
          mountOptions  = ["rw", "nosuid", "nodev"] # Docker makes tmpfs world-writable (1777)
        }
      ]
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = local.region
        awslogs-stream-prefix = var.container_name
        mode                  = "non-blocking"
        max-buffer-size       = "4m"
      }
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Application logs hold no secrets or personal data (public sensor readings); CloudWatch Logs encrypts them at rest by default, and a customer-managed KMS key would add $1/month plus key-policy plumbing.
  #checkov:skip=CKV_AWS_338:Retention is a variable (14 days by default) to keep log storage cost small; operational logs of a public-data service need no year-long retention.
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# ------------------------------------------------------------------------------------------ roles

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# What the application may do: only the inline policies passed in (none for web).
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = var.task_role_policies

  name   = each.key
  role   = aws_iam_role.task.id
  policy = each.value
}

# What the ECS agent may do for this task: pull this one image and write this one log group.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "EcrAuth"
    # GetAuthorizationToken has no resource-level permissions; it only returns a registry login.
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [var.repository_arn]
  }

  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-image-write-logs"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ------------------------------------------------------------------------------- task definition

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions    = jsonencode([local.container])

  # Docker volumes start as a copy of the image's directory (owner and mode included, e.g. /tmp's
  # 1777), so a non-root process can write to them; they are removed with the task.
  dynamic "volume" {
    for_each = var.scratch_paths
    content {
      name = "scratch-${volume.key}"

      docker_volume_configuration {
        scope  = "task"
        driver = "local"
      }
    }
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  tags = var.tags
}

# --------------------------------------------------------------------------------------- service

resource "aws_ecs_service" "this" {
  count = var.create_service ? 1 : 0

  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.min_count
  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = var.target_group_arn == null ? null : var.health_check_grace_period
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = var.enable_execute_command

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy
    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      base              = capacity_provider_strategy.value.base
      weight            = capacity_provider_strategy.value.weight
    }
  }

  ordered_placement_strategy {
    type  = "spread"
    field = "attribute:ecs.availability-zone"
  }

  ordered_placement_strategy {
    type  = "binpack"
    field = "memory"
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = var.container_name
      container_port   = var.container_port
    }
  }

  lifecycle {
    # Application Auto Scaling owns the running count; change min_count/max_count instead.
    ignore_changes = [desired_count]
  }

  tags = var.tags
}

# Every long-running service gets a scalable target, so that its count is set by min/max even when
# no policy is attached (web). Policies: target tracking here, queue-depth steps in queue_scaling.
resource "aws_appautoscaling_target" "this" {
  count = var.create_service ? 1 : 0

  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this[0].name}"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "target_tracking" {
  count = var.create_service && var.target_tracking != null ? 1 : 0

  name               = "${var.name}-target-tracking"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.target_tracking.target_value
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = var.target_tracking.predefined_metric
      resource_label         = var.target_tracking.resource_label
    }
  }
}
