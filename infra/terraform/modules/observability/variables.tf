variable "name" {
  type        = string
  description = "Name prefix of the dashboard, alarms, topic and budget (e.g. airq)."
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix of the load balancer (LoadBalancer metric dimension)."
}

variable "api_target_group_arn_suffix" {
  type        = string
  description = "ARN suffix of the api target group (TargetGroup metric dimension)."
}

variable "web_target_group_arn_suffix" {
  type        = string
  description = "ARN suffix of the web target group (TargetGroup metric dimension)."
}

variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster."
}

variable "service_names" {
  type = object({
    api    = string
    web    = string
    worker = string
  })
  description = "Names of the long-running ECS services."
}

variable "asg_names" {
  type        = list(string)
  description = "Auto Scaling groups of the cluster (instance counts on the dashboard)."
}

variable "exports_queue_name" {
  type        = string
  description = "Name of the exports queue."
}

variable "exports_dlq_name" {
  type        = string
  description = "Name of the exports dead-letter queue."
}

variable "table_names" {
  type        = list(string)
  description = "DynamoDB tables shown on the dashboard (throttles, consumed capacity)."
}

variable "readings_table_name" {
  type        = string
  description = "Name of the readings table (its by_sensor index is shown separately)."
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of ingest's custom metrics (AIRQ_CLOUDWATCH_NAMESPACE)."
  default     = "airq"
}

variable "ingest_stale_hours" {
  type        = number
  description = "Alarm when no ingest run succeeded in this many consecutive hours (must exceed the schedule interval)."
  default     = 2

  validation {
    condition     = var.ingest_stale_hours >= 1 && var.ingest_stale_hours <= 24
    error_message = "ingest_stale_hours must be between 1 and 24."
  }
}

variable "error_rate_threshold_percent" {
  type        = number
  description = "Alarm when more than this percentage of requests got a 5xx (target or load balancer) in 3 of 5 minutes."
  default     = 5
}

variable "error_rate_min_requests" {
  type        = number
  description = "Minutes with fewer requests than this never count towards the 5xx-rate alarm."
  default     = 20
}

variable "alarm_emails" {
  type        = list(string)
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  default     = []
}

variable "monthly_budget_usd" {
  type        = number
  description = "Monthly AWS cost budget in USD; notifications at 80% actual and 100% forecast."
  default     = 50
}

variable "budget_cost_filter_tag" {
  type        = string
  description = "Limit the budget to costs tagged with this tag as \"Key$Value\" (e.g. \"Project$airq\"; the tag must be an activated cost allocation tag), or null for the whole account."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
