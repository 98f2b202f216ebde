# Queue-depth step scaling of a worker service:
#   alarm "queue high" (visible messages >= high_threshold)  -> scale_out (+1/+2/+4 by depth)
#   alarm "queue low"  (visible messages <  low_threshold)   -> scale_in  (-1 per cooldown)
# The min/max bounds live on the service's scalable target (modules/service).

resource "aws_appautoscaling_policy" "scale_out" {
  name               = "${var.name}-queue-scale-out"
  policy_type        = "StepScaling"
  service_namespace  = var.scalable_target_namespace
  scalable_dimension = var.scalable_target_dimension
  resource_id        = var.scalable_target_resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.scale_out_cooldown
    metric_aggregation_type = "Maximum"

    # Bounds are relative to the alarm threshold T: [T, 2T) +1, [2T, 5T) +2, [5T, inf) +4.
    step_adjustment {
      metric_interval_lower_bound = 0
      metric_interval_upper_bound = var.high_threshold
      scaling_adjustment          = 1
    }

    step_adjustment {
      metric_interval_lower_bound = var.high_threshold
      metric_interval_upper_bound = var.high_threshold * 4
      scaling_adjustment          = 2
    }

    step_adjustment {
      metric_interval_lower_bound = var.high_threshold * 4
      scaling_adjustment          = 4
    }
  }
}

resource "aws_appautoscaling_policy" "scale_in" {
  name               = "${var.name}-queue-scale-in"
  policy_type        = "StepScaling"
  service_namespace  = var.scalable_target_namespace
  scalable_dimension = var.scalable_target_dimension
  resource_id        = var.scalable_target_resource_id

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = var.scale_in_cooldown
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_upper_bound = 0
      scaling_adjustment          = -1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "queue_high" {
  alarm_name          = "${var.name}-queue-high"
  alarm_description   = "Exports are waiting on ${var.queue_name}: add workers."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.queue_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.high_evaluation_minutes
  datapoints_to_alarm = var.high_evaluation_minutes
  threshold           = var.high_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.scale_out.arn]
  tags                = var.tags
}

# Scale-in looks at visible messages only; a worker stopped mid-job gets SIGTERM, finishes or
# releases its message (DESIGN §6), and the 120 s stop timeout of the task gives it time to.
resource "aws_cloudwatch_metric_alarm" "queue_low" {
  alarm_name          = "${var.name}-queue-low"
  alarm_description   = "Nothing waiting on ${var.queue_name}: remove a worker (down to the service minimum)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.queue_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = var.low_evaluation_minutes
  datapoints_to_alarm = var.low_evaluation_minutes
  threshold           = var.low_threshold
  comparison_operator = "LessThanThreshold"
  # SQS stops publishing for a queue idle for six hours: no data means nothing to do.
  treat_missing_data = "breaching"
  alarm_actions      = [aws_appautoscaling_policy.scale_in.arn]
  tags               = var.tags
}
