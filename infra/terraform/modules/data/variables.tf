variable "readings_table_name" {
  type        = string
  description = "Name of the readings table (AIRQ_READINGS_TABLE)."
}

variable "daily_table_name" {
  type        = string
  description = "Name of the per-day summaries and catalogue table (AIRQ_DAILY_TABLE)."
}

variable "jobs_table_name" {
  type        = string
  description = "Name of the export jobs table (AIRQ_JOBS_TABLE)."
}

variable "ttl_attribute" {
  type        = string
  description = "Epoch-seconds attribute that DynamoDB TTL expires items by (airq.tables.TTL_ATTRIBUTE)."
  default     = "expires_at"
}

variable "billing_mode" {
  type        = string
  description = "DynamoDB billing mode of every table: PAY_PER_REQUEST (on-demand) or PROVISIONED."
  default     = "PAY_PER_REQUEST"

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing_mode)
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "provisioned_capacity" {
  type = object({
    read  = number
    write = number
  })
  description = "Read and write capacity units of each table and index when billing_mode is PROVISIONED (ignored on demand)."
  default = {
    read  = 5
    write = 5
  }
}

variable "point_in_time_recovery" {
  type        = bool
  description = "Turn on DynamoDB point-in-time recovery (35 days of continuous backups) for every table."
  default     = true
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the tables from deletion; set to false and apply before `terraform destroy`."
  default     = true
}

variable "exports_queue_name" {
  type        = string
  description = "Name of the exports queue (AIRQ_EXPORTS_QUEUE)."
}

variable "exports_dlq_name" {
  type        = string
  description = "Name of the exports dead-letter queue (AIRQ_EXPORTS_DLQ)."
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout of the exports queue; the worker extends it while it works (AIRQ_WORKER_VISIBILITY_TIMEOUT)."
  default     = 60
}

variable "max_receive_count" {
  type        = number
  description = "Receives after which a message moves to the dead-letter queue (AIRQ_WORKER_MAX_RECEIVES)."
  default     = 3

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "How long an unprocessed export request stays on the queue."
  default     = 345600
}

variable "exports_bucket_name" {
  type        = string
  description = "Globally unique name of the S3 bucket that receives the export files (AIRQ_EXPORTS_BUCKET)."
}

variable "exports_expiry_days" {
  type        = number
  description = "Days after which export files are deleted by the bucket lifecycle rule."
  default     = 7

  validation {
    condition     = var.exports_expiry_days >= 1
    error_message = "exports_expiry_days must be at least 1."
  }
}

variable "force_destroy_bucket" {
  type        = bool
  description = "Let `terraform destroy` delete the exports bucket while it still holds files."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
