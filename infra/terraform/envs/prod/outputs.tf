output "url" {
  description = "URL of the site (web UI at /, API at /api/)."
  value       = module.alb.url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point a CNAME or alias record at it)."
  value       = module.alb.dns_name
}

output "ecr_repository_urls" {
  description = "ECR repository URL of each image; push <url>:<image_tag> before applying."
  value       = module.ecr.repository_urls
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.ecs_cluster.cluster_name
}

output "service_names" {
  description = "Names of the long-running ECS services."
  value = {
    api    = module.api.service_name
    web    = module.web.service_name
    worker = module.worker.service_name
  }
}

output "ingest_task_definition_arn" {
  description = "Task definition of ingest; run it by hand with `aws ecs run-task`."
  value       = module.ingest.task_definition_arn
}

output "ingest_schedule_name" {
  description = "Name of the EventBridge Scheduler schedule that runs ingest."
  value       = module.ingest_schedule.schedule_name
}

output "tables" {
  description = "DynamoDB table names."
  value = {
    readings = module.data.readings_table_name
    daily    = module.data.daily_table_name
    jobs     = module.data.jobs_table_name
  }
}

output "exports_queue_url" {
  description = "URL of the exports queue."
  value       = module.data.exports_queue_url
}

output "exports_bucket" {
  description = "Name of the exports bucket."
  value       = module.data.exports_bucket_name
}

output "dashboard_url" {
  description = "Console URL of the CloudWatch dashboard."
  value       = module.observability.dashboard_url
}

output "alerts_topic_arn" {
  description = "SNS topic of alarms and budget notifications."
  value       = module.observability.alerts_topic_arn
}
