variable "name" {
  type        = string
  description = "Name of the service, task definition family, log group and roles (e.g. airq-api)."
}

variable "container_name" {
  type        = string
  description = "Name of the single container in the task (e.g. api); also the log stream prefix."
}

variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster (part of the Application Auto Scaling resource ID)."
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster the service runs in."
}

variable "image" {
  type        = string
  description = "Full image reference, registry/repository:tag."
}

variable "repository_arn" {
  type        = string
  description = "ARN of the ECR repository the image is pulled from (the execution role may pull from it only)."
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture the image is built for: ARM64 or X86_64."
  default     = "ARM64"

  validation {
    condition     = contains(["ARM64", "X86_64"], var.cpu_architecture)
    error_message = "cpu_architecture must be ARM64 or X86_64."
  }
}

variable "command" {
  type        = list(string)
  description = "Command that overrides the image's CMD, or null to keep it."
  default     = null
}

variable "environment" {
  type        = map(string)
  description = "Environment variables of the container (AIRQ_* settings, AWS_REGION, ...). Never secrets."
  default     = {}
}

variable "container_port" {
  type        = number
  description = "Port the container listens on (mapped to a dynamic host port), or null for none."
  default     = null
}

variable "cpu" {
  type        = number
  description = "CPU units reserved for the container (1024 = one vCPU)."
}

variable "memory" {
  type        = number
  description = "Hard memory limit of the container in MiB (the container is killed above it)."
}

variable "memory_reservation" {
  type        = number
  description = "Soft memory reservation in MiB, used for placement; must not exceed memory."
}

variable "readonly_root_filesystem" {
  type        = bool
  description = "Mount the container's root filesystem read-only; writable paths come from tmpfs_mounts."
  default     = true
}

variable "tmpfs_mounts" {
  type = list(object({
    path     = string
    size_mib = number
  }))
  description = "Writable in-memory filesystems (path and size in MiB), e.g. /tmp for a read-only root filesystem."
  default     = [{ path = "/tmp", size_mib = 64 }]
}

variable "scratch_paths" {
  type        = list(string)
  description = "Writable paths backed by a task-scoped Docker volume on the instance's disk (for spooling larger files than tmpfs should hold in memory)."
  default     = []
}

variable "health_check_command" {
  type        = list(string)
  description = "Container health check command in ECS form ([\"CMD\", ...] or [\"CMD-SHELL\", \"...\"]), or null for none; an unhealthy task is replaced."
  default     = null
}

variable "stop_timeout" {
  type        = number
  description = "Seconds between SIGTERM and SIGKILL when a task stops (at most 120 on EC2)."
  default     = 30

  validation {
    condition     = var.stop_timeout >= 2 && var.stop_timeout <= 120
    error_message = "stop_timeout must be between 2 and 120 seconds."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the service's CloudWatch log group in days."
  default     = 14
}

variable "task_role_policies" {
  type        = map(string)
  description = "Inline policies (name => policy JSON) of the task role: what the application itself may do."
  default     = {}
}

variable "create_service" {
  type        = bool
  description = "Create a long-running ECS service; false for a task that is only run on a schedule (ingest)."
  default     = true
}

variable "min_count" {
  type        = number
  description = "Minimum (and initial) number of tasks of the service."
  default     = 1
}

variable "max_count" {
  type        = number
  description = "Maximum number of tasks of the service (the Application Auto Scaling bound)."
  default     = 1
}

variable "capacity_provider_strategy" {
  type = list(object({
    capacity_provider = string
    base              = optional(number, 0)
    weight            = optional(number, 1)
  }))
  description = "Capacity providers the service's tasks are placed on."
}

variable "target_group_arn" {
  type        = string
  description = "Load balancer target group of the service, or null when it takes no traffic from the ALB."
  default     = null
}

variable "health_check_grace_period" {
  type        = number
  description = "Seconds after a task starts during which failed load balancer health checks are ignored."
  default     = 60
}

variable "target_tracking" {
  type = object({
    predefined_metric = string
    target_value      = number
    resource_label    = optional(string)
  })
  description = "Target tracking policy of the service (e.g. ECSServiceAverageCPUUtilization at 60), or null for none."
  default     = null
}

variable "deployment_minimum_healthy_percent" {
  type        = number
  description = "Lower bound of running tasks during a deployment, as a percentage of the desired count."
  default     = 100
}

variable "deployment_maximum_percent" {
  type        = number
  description = "Upper bound of running tasks during a deployment, as a percentage of the desired count."
  default     = 200
}

variable "enable_execute_command" {
  type        = bool
  description = "Allow `aws ecs execute-command` into the tasks (needs SSM permissions on the task role)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
