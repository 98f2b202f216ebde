output "scale_out_policy_arn" {
  description = "ARN of the step scaling policy that adds workers."
  value       = aws_appautoscaling_policy.scale_out.arn
}

output "scale_in_policy_arn" {
  description = "ARN of the step scaling policy that removes workers."
  value       = aws_appautoscaling_policy.scale_in.arn
}

output "queue_high_alarm_name" {
  description = "Name of the queue-high alarm."
  value       = aws_cloudwatch_metric_alarm.queue_high.alarm_name
}

output "queue_low_alarm_name" {
  description = "Name of the queue-low alarm."
  value       = aws_cloudwatch_metric_alarm.queue_low.alarm_name
}

output "queue_high_alarm_arn" {
  description = "ARN of the queue-high alarm (for the dashboard's alarm widget)."
  value       = aws_cloudwatch_metric_alarm.queue_high.arn
}
