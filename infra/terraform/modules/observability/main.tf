# Alarms to an SNS topic, a CloudWatch dashboard and a cost budget.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region = data.aws_region.current.name
  alb    = var.alb_arn_suffix
  topic  = aws_sns_topic.alerts.arn
}

# ------------------------------------------------------------------------------------------- SNS

resource "aws_sns_topic" "alerts" {
  #checkov:skip=CKV_AWS_26:CloudWatch alarms and AWS Budgets cannot publish to a topic encrypted with the AWS-managed aws/sns key, and a customer-managed key costs $1/month; alarm notifications carry no confidential data.
  name = "${var.name}-alerts"
  tags = var.tags
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid       = "AlarmsAndBudgetsPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---------------------------------------------------------------------------------------- alarms

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  alarm_name          = "${var.name}-exports-dlq-not-empty"
  alarm_description   = "An export request failed every attempt and is on ${var.exports_dlq_name}: read the job's error, fix the cause, then redrive or delete the message."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.exports_dlq_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.topic]
  ok_actions          = [local.topic]
  tags                = var.tags
}

# Ingest publishes IngestSucceeded = 1 after every stored snapshot. No data is the failure mode
# (task not started, crashed, feed down), so missing data breaches.
resource "aws_cloudwatch_metric_alarm" "ingest_stale" {
  alarm_name          = "${var.name}-ingest-stale"
  alarm_description   = "No successful ingest run for ${var.ingest_stale_hours} hours: check the ${var.name}-ingest schedule, its task's logs and the feed."
  namespace           = var.metrics_namespace
  metric_name         = "IngestSucceeded"
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = var.ingest_stale_hours
  datapoints_to_alarm = var.ingest_stale_hours
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [local.topic]
  ok_actions          = [local.topic]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "http_5xx_rate" {
  alarm_name          = "${var.name}-http-5xx-rate"
  alarm_description   = "More than ${var.error_rate_threshold_percent}% of requests through the load balancer ended in a 5xx."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_threshold_percent
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = [local.topic]
  ok_actions          = [local.topic]
  tags                = var.tags

  metric_query {
    id          = "rate"
    expression  = "IF(requests >= ${var.error_rate_min_requests}, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
    label       = "5xx (% of requests)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = local.alb }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = local.alb }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = local.alb }
      period      = 60
      stat        = "Sum"
    }
  }
}

# ------------------------------------------------------------------------------------- dashboard

locals {
  ecs_services = [var.service_names.api, var.service_names.web, var.service_names.worker]

  widgets = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title  = "ALB target response time (s)"
        region = local.region
        view   = "timeSeries"
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, { stat = "p50", label = "p50" }],
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, { stat = "p90", label = "p90" }],
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, { stat = "p99", label = "p99" }],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "ALB requests and 5xx"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Sum"
        metrics = [
          ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.alb, { label = "requests" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", local.alb, { label = "target 5xx", yAxis = "right" }],
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", local.alb, { label = "ALB 5xx", yAxis = "right" }],
          ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", var.api_target_group_arn_suffix, "LoadBalancer", local.alb, { label = "unhealthy api", stat = "Maximum", yAxis = "right" }],
          ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", var.web_target_group_arn_suffix, "LoadBalancer", local.alb, { label = "unhealthy web", stat = "Maximum", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 8, height = 6
      properties = {
        title  = "Exports queue depth"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.exports_queue_name, { label = "waiting" }],
          ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", var.exports_queue_name, { label = "in progress" }],
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.exports_dlq_name, { label = "dead letters" }],
        ]
      }
    },
    {
      type = "metric", x = 8, y = 6, width = 8, height = 6
      properties = {
        title  = "Age of oldest export request (s)"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = [
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.exports_queue_name, { label = "exports" }],
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.exports_dlq_name, { label = "dead letters" }],
        ]
      }
    },
    {
      type = "metric", x = 16, y = 6, width = 8, height = 6
      properties = {
        title  = "Workers and instances (task counts need container_insights = true)"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Maximum"
        metrics = concat(
          [
            ["ECS/ContainerInsights", "RunningTaskCount", "ServiceName", var.service_names.worker, "ClusterName", var.cluster_name, { label = "workers running" }],
            ["ECS/ContainerInsights", "DesiredTaskCount", "ServiceName", var.service_names.worker, "ClusterName", var.cluster_name, { label = "workers desired" }],
          ],
          [for asg in var.asg_names : ["AWS/AutoScaling", "GroupInServiceInstances", "AutoScalingGroupName", asg, { label = "instances ${asg}" }]],
        )
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 8, height = 6
      properties = {
        title  = "DynamoDB throttled events"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Sum"
        metrics = concat(
          [for t in var.table_names : ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t, { label = "${t} read" }]],
          [for t in var.table_names : ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t, { label = "${t} write" }]],
          [["AWS/DynamoDB", "WriteThrottleEvents", "TableName", var.readings_table_name, "GlobalSecondaryIndexName", "by_sensor", { label = "by_sensor write" }]],
        )
      }
    },
    {
      type = "metric", x = 8, y = 12, width = 8, height = 6
      properties = {
        title  = "DynamoDB consumed capacity (units per minute)"
        region = local.region
        view   = "timeSeries"
        period = 60
        stat   = "Sum"
        metrics = concat(
          [for t in var.table_names : ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t, { label = "${t} write" }]],
          [for t in var.table_names : ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t, { label = "${t} read" }]],
        )
      }
    },
    {
      type = "metric", x = 16, y = 12, width = 8, height = 6
      properties = {
        title  = "Ingest (per hour)"
        region = local.region
        view   = "timeSeries"
        period = 3600
        stat   = "Sum"
        metrics = [
          [var.metrics_namespace, "IngestSucceeded", { label = "successful runs" }],
          [var.metrics_namespace, "IngestRowsAccepted", { label = "rows accepted", yAxis = "right" }],
          [var.metrics_namespace, "IngestRowsRejected", { label = "rows rejected", yAxis = "right" }],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 12, height = 6
      properties = {
        title   = "ECS service CPU utilisation (%)"
        region  = local.region
        view    = "timeSeries"
        period  = 60
        stat    = "Average"
        metrics = [for s in local.ecs_services : ["AWS/ECS", "CPUUtilization", "ServiceName", s, "ClusterName", var.cluster_name, { label = s }]]
      }
    },
    {
      type = "alarm", x = 12, y = 18, width = 12, height = 6
      properties = {
        title = "Alarms"
        alarms = [
          aws_cloudwatch_metric_alarm.dlq_not_empty.arn,
          aws_cloudwatch_metric_alarm.ingest_stale.arn,
          aws_cloudwatch_metric_alarm.http_5xx_rate.arn,
        ]
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}

# ---------------------------------------------------------------------------------------- budget

resource "aws_budgets_budget" "monthly" {
  name         = "${var.name}-monthly"
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_budget_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  dynamic "cost_filter" {
    for_each = var.budget_cost_filter_tag == null ? [] : [var.budget_cost_filter_tag]
    content {
      name   = "TagKeyValue"
      values = ["user:${cost_filter.value}"]
    }
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 80
    threshold_type            = "PERCENTAGE"
    notification_type         = "ACTUAL"
    subscriber_sns_topic_arns = [local.topic]
  }

  notification {
    comparison_operator       = "GREATER_THAN"
    threshold                 = 100
    threshold_type            = "PERCENTAGE"
    notification_type         = "FORECASTED"
    subscriber_sns_topic_arns = [local.topic]
  }

  depends_on = [aws_sns_topic_policy.alerts]
}
