variable "name" {
  type        = string
  description = "Name of the schedule and its IAM role (e.g. airq-ingest)."
}

variable "schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression: rate(...), cron(...) or at(...)."
  default     = "rate(1 hour)"

  validation {
    condition     = can(regex("^(rate|cron|at)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be rate(...), cron(...) or at(...)."
  }
}

variable "schedule_timezone" {
  type        = string
  description = "Time zone that cron expressions are evaluated in."
  default     = "UTC"
}

variable "enabled" {
  type        = bool
  description = "Whether the schedule runs (false keeps it, disabled)."
  default     = true
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster the task runs in."
}

variable "task_definition_arn" {
  type        = string
  description = "ARN (with revision) of the task definition to run."
}

variable "task_definition_family_arn" {
  type        = string
  description = "ARN of the task definition family without revision (the scheduler role may run any revision of it)."
}

variable "passed_role_arns" {
  type        = list(string)
  description = "Task and execution role ARNs of the task definition, which the scheduler must pass to ECS."
}

variable "capacity_provider" {
  type        = string
  description = "Capacity provider the task is placed on."
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Times EventBridge Scheduler retries a RunTask call that failed (e.g. no capacity yet)."
  default     = 3
}

variable "maximum_event_age_seconds" {
  type        = number
  description = "Seconds after which a scheduled run that could not be started is dropped."
  default     = 1800
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
