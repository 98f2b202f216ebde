# An ECS task run on a schedule by EventBridge Scheduler (RunTask on the cluster's capacity
# provider). Used for ingest: `airq-ingest --once`, hourly by default.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  cluster_name = element(split("/", var.cluster_arn), 1)
  # Tasks that RunTask starts in this cluster (for tagging them at creation).
  cluster_tasks_arn = "arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:task/${local.cluster_name}/*"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "run_task" {
  statement {
    sid       = "RunTheTask"
    actions   = ["ecs:RunTask"]
    resources = ["${var.task_definition_family_arn}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "TagTheTask"
    actions   = ["ecs:TagResource"]
    resources = [local.cluster_tasks_arn]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "PassTheTaskRoles"
    actions   = ["iam:PassRole"]
    resources = var.passed_role_arns

    condition {
      test     = "StringLike"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "run-${var.name}"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.run_task.json
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:The schedule's payload is a task definition ARN, nothing confidential; the AWS-owned key suffices and a customer-managed key would cost $1/month.
  name                         = var.name
  group_name                   = "default"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.scheduler.arn

    ecs_parameters {
      task_definition_arn     = var.task_definition_arn
      task_count              = 1
      group                   = var.name
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"

      capacity_provider_strategy {
        capacity_provider = var.capacity_provider
        base              = 0
        weight            = 1
      }
    }

    retry_policy {
      maximum_retry_attempts       = var.maximum_retry_attempts
      maximum_event_age_in_seconds = var.maximum_event_age_seconds
    }
  }
}
