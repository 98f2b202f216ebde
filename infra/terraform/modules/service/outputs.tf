output "service_name" {
  description = "Name of the ECS service, or null when create_service is false."
  value       = one(aws_ecs_service.this[*].name)
}

output "service_arn" {
  description = "ARN of the ECS service, or null when create_service is false."
  value       = one(aws_ecs_service.this[*].id)
}

output "scalable_target_resource_id" {
  description = "Application Auto Scaling resource ID of the service (service/<cluster>/<service>), or null."
  value       = one(aws_appautoscaling_target.this[*].resource_id)
}

output "scalable_target_dimension" {
  description = "Scalable dimension of the service's Application Auto Scaling target, or null."
  value       = one(aws_appautoscaling_target.this[*].scalable_dimension)
}

output "scalable_target_namespace" {
  description = "Service namespace of the Application Auto Scaling target, or null."
  value       = one(aws_appautoscaling_target.this[*].service_namespace)
}

output "task_definition_arn" {
  description = "ARN of the task definition, with its revision."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_arn_without_revision" {
  description = "ARN of the task definition family, without the revision."
  value       = aws_ecs_task_definition.this.arn_without_revision
}

output "task_role_arn" {
  description = "ARN of the task role (the application's permissions)."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = aws_iam_role.task.name
}

output "execution_role_arn" {
  description = "ARN of the execution role (image pull and log delivery)."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "Name of the CloudWatch log group of the containers."
  value       = aws_cloudwatch_log_group.this.name
}
