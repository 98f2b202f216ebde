# ----------------------------------------------------------------------------------------- general

variable "region" {
  type        = string
  description = "AWS region to deploy to (prices in bin/cost_model.py are for us-east-1)."
  default     = "us-east-1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name; \"airq\" gives the table, queue and repository names the services default to."
  default     = "airq"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,11}$", var.name_prefix))
    error_message = "name_prefix must be 2-12 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "image_tag" {
  type        = string
  description = "Tag of the four images in ECR to deploy (the repositories' tags are immutable: use the git commit SHA)."
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (Project and ManagedBy are always set)."
  default     = {}
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the DynamoDB tables and the load balancer from deletion; set to false and apply before `terraform destroy`."
  default     = true
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete the exports bucket and ECR repositories even when they still hold objects and images."
  default     = false
}

# ----------------------------------------------------------------------------------------- network

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR block of the VPC."
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones of the public subnets (at least two, for the ALB); null means the region's \"a\" and \"b\" zones."
  default     = null
}

variable "interface_endpoints" {
  type        = list(string)
  description = "Optional interface VPC endpoints, e.g. [\"sqs\", \"ecr.api\", \"ecr.dkr\", \"logs\", \"monitoring\"]; about $7.30/month each per AZ. DynamoDB and S3 always get free gateway endpoints."
  default     = []
}

variable "interface_endpoint_az_count" {
  type        = number
  description = "AZs each interface endpoint is placed in."
  default     = 1
}

variable "alb_ingress_cidrs" {
  type        = list(string)
  description = "IPv4 ranges allowed to reach the load balancer."
  default     = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate ARN for HTTPS on the load balancer (port 80 then redirects); null serves plain HTTP."
  default     = null
}

# --------------------------------------------------------------------------------------- compute

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the cluster's on-demand instances (must match cpu_architecture)."
  default     = "t4g.small"
}

variable "cpu_architecture" {
  type        = string
  description = "ARM64 (Graviton: t4g, m7g) or X86_64 (t3, m7i); images must be built for it."
  default     = "ARM64"
}

variable "asg_min_size" {
  type        = number
  description = "Minimum number of on-demand container instances."
  default     = 1
}

variable "asg_max_size" {
  type        = number
  description = "Maximum number of on-demand container instances."
  default     = 3
}

variable "root_volume_size" {
  type        = number
  description = "Root EBS volume of each instance in GiB (at least 30)."
  default     = 30
}

variable "worker_use_spot" {
  type        = bool
  description = "Run workers beyond the first on a Spot Auto Scaling group (which starts empty)."
  default     = false
}

variable "spot_instance_types" {
  type        = list(string)
  description = "Instance types for the Spot group (same architecture as cpu_architecture)."
  default     = ["t4g.small", "t4g.medium", "m6g.medium"]
}

variable "spot_max_size" {
  type        = number
  description = "Maximum number of Spot container instances."
  default     = 3
}

variable "container_insights" {
  type        = bool
  description = "Turn on Container Insights (worker task counts on the dashboard; about $25/month more)."
  default     = false
}

variable "task_sizes" {
  type = map(object({
    cpu                = number
    memory             = number
    memory_reservation = number
  }))
  description = "CPU units, hard memory limit and soft memory reservation (MiB) per service: api, web, worker, ingest."
  default = {
    api    = { cpu = 512, memory = 768, memory_reservation = 384 }
    web    = { cpu = 128, memory = 128, memory_reservation = 64 }
    worker = { cpu = 256, memory = 768, memory_reservation = 384 }
    ingest = { cpu = 512, memory = 1024, memory_reservation = 512 }
  }

  validation {
    condition     = alltrue([for s in ["api", "web", "worker", "ingest"] : contains(keys(var.task_sizes), s)])
    error_message = "task_sizes must have entries for api, web, worker and ingest."
  }
}

variable "extra_environment" {
  type        = map(map(string))
  description = "Extra environment variables per service (api, web, worker, ingest), merged over the generated ones. Never secrets."
  default     = {}
}

# -------------------------------------------------------------------------------------- services

variable "api_min_count" {
  type        = number
  description = "Minimum number of api tasks."
  default     = 1
}

variable "api_max_count" {
  type        = number
  description = "Maximum number of api tasks."
  default     = 4
}

variable "api_scaling_metric" {
  type        = string
  description = "What the api scales on: \"cpu\" (average CPU utilisation) or \"requests\" (ALB requests per target per minute)."
  default     = "cpu"

  validation {
    condition     = contains(["cpu", "requests"], var.api_scaling_metric)
    error_message = "api_scaling_metric must be cpu or requests."
  }
}

variable "api_cpu_target" {
  type        = number
  description = "Target average CPU utilisation (%) of the api tasks when api_scaling_metric is cpu."
  default     = 60
}

variable "api_requests_target" {
  type        = number
  description = "Target ALB requests per api task per minute when api_scaling_metric is requests."
  default     = 1200
}

variable "web_count" {
  type        = number
  description = "Number of web (nginx) tasks."
  default     = 1
}

variable "worker_min_count" {
  type        = number
  description = "Minimum number of worker tasks (0 lets the pool scale to zero; the first export then waits for a scale-out)."
  default     = 1
}

variable "worker_max_count" {
  type        = number
  description = "Maximum number of worker tasks."
  default     = 4
}

variable "queue_high_threshold" {
  type        = number
  description = "Visible export messages at or above which workers are added (more steps at 2x and 5x)."
  default     = 5
}

variable "queue_scale_in_minutes" {
  type        = number
  description = "Minutes the exports queue must stay empty before a worker is removed."
  default     = 10
}

variable "ingest_schedule" {
  type        = string
  description = "EventBridge Scheduler expression for `airq-ingest --once`."
  default     = "rate(1 hour)"
}

variable "ingest_enabled" {
  type        = bool
  description = "Whether the ingest schedule is enabled."
  default     = true
}

variable "ingest_command" {
  type        = list(string)
  description = "Command of the scheduled ingest task (replaces the image's CMD)."
  default     = ["airq-ingest", "--once"]
}

# ------------------------------------------------------------------------------------------ data

variable "dynamodb_billing_mode" {
  type        = string
  description = "PAY_PER_REQUEST (on-demand) or PROVISIONED for every table."
  default     = "PAY_PER_REQUEST"
}

variable "point_in_time_recovery" {
  type        = bool
  description = "Point-in-time recovery of the DynamoDB tables."
  default     = true
}

variable "retention_days" {
  type        = number
  description = "Days readings and summaries are kept before DynamoDB TTL deletes them (AIRQ_RETENTION_DAYS)."
  default     = 90
}

variable "worker_max_receives" {
  type        = number
  description = "Deliveries of an export message before it moves to the dead-letter queue (AIRQ_WORKER_MAX_RECEIVES and the redrive policy)."
  default     = 3
}

variable "worker_visibility_timeout" {
  type        = number
  description = "Visibility timeout of the exports queue in seconds (AIRQ_WORKER_VISIBILITY_TIMEOUT)."
  default     = 60
}

variable "exports_bucket_name" {
  type        = string
  description = "Name of the exports bucket; null gives <name_prefix>-exports-<account>-<region>."
  default     = null
}

variable "exports_expiry_days" {
  type        = number
  description = "Days after which export files are deleted."
  default     = 7
}

# --------------------------------------------------------------------------------- observability

variable "log_level" {
  type        = string
  description = "Log level of the Python services (AIRQ_LOG_LEVEL)."
  default     = "INFO"
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the services' CloudWatch log groups in days."
  default     = 14
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of ingest's custom metrics (AIRQ_CLOUDWATCH_NAMESPACE)."
  default     = "airq"
}

variable "ingest_stale_hours" {
  type        = number
  description = "Alarm after this many hours without a successful ingest (must exceed the schedule interval)."
  default     = 2
}

variable "error_rate_threshold_percent" {
  type        = number
  description = "Alarm when more than this percentage of requests get a 5xx."
  default     = 5
}

variable "alarm_emails" {
  type        = list(string)
  description = "E-mail addresses that receive alarms and budget notifications."
  default     = []
}

variable "monthly_budget_usd" {
  type        = number
  description = "Monthly AWS cost budget in USD (notifies at 80% actual and 100% forecast); bin/cost_model.py prints the expected bill."
  default     = 90
}

variable "budget_cost_filter_tag" {
  type        = string
  description = "Restrict the budget to one cost allocation tag, \"Key$Value\" (e.g. \"Project$airq\"); null covers the whole account."
  default     = null
}
