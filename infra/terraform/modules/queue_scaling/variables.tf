variable "name" {
  type        = string
  description = "Name prefix of the alarms and scaling policies (e.g. airq-worker)."
}

variable "scalable_target_resource_id" {
  type        = string
  description = "Application Auto Scaling resource ID of the ECS service to scale (service/<cluster>/<service>)."
}

variable "scalable_target_dimension" {
  type        = string
  description = "Scalable dimension of the target (ecs:service:DesiredCount)."
  default     = "ecs:service:DesiredCount"
}

variable "scalable_target_namespace" {
  type        = string
  description = "Service namespace of the target (ecs)."
  default     = "ecs"
}

variable "queue_name" {
  type        = string
  description = "Name of the SQS queue whose visible messages drive the scaling."
}

variable "high_threshold" {
  type        = number
  description = "Visible messages at or above which workers are added."
  default     = 5

  validation {
    condition     = var.high_threshold >= 1
    error_message = "high_threshold must be at least 1."
  }
}

variable "high_evaluation_minutes" {
  type        = number
  description = "Consecutive one-minute periods above high_threshold before scaling out."
  default     = 1
}

variable "low_threshold" {
  type        = number
  description = "Visible messages below which workers are removed (1 = the queue is empty)."
  default     = 1
}

variable "low_evaluation_minutes" {
  type        = number
  description = "Consecutive one-minute periods below low_threshold before scaling in."
  default     = 10
}

variable "scale_out_cooldown" {
  type        = number
  description = "Seconds after a scale-out before the next scale-out step may apply."
  default     = 60
}

variable "scale_in_cooldown" {
  type        = number
  description = "Seconds after a scale-in before the next one (each removes one worker)."
  default     = 120
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
