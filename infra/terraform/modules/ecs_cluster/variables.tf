variable "name" {
  type        = string
  description = "Name of the ECS cluster; also the prefix of its instances, roles and capacity providers."
}

variable "vpc_id" {
  type        = string
  description = "VPC the container instances run in."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Subnets of the Auto Scaling groups (public subnets: instances need egress without NAT)."
}

variable "alb_security_group_id" {
  type        = string
  description = "Security group of the load balancer, the only source admitted to the instances' dynamic task ports."
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type of the on-demand Auto Scaling group; must match cpu_architecture."
  default     = "t4g.small"
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture of the instances and images: ARM64 (Graviton, t4g) or X86_64 (t3)."
  default     = "ARM64"

  validation {
    condition     = contains(["ARM64", "X86_64"], var.cpu_architecture)
    error_message = "cpu_architecture must be ARM64 or X86_64."
  }
}

variable "min_size" {
  type        = number
  description = "Minimum number of on-demand container instances."
  default     = 1
}

variable "max_size" {
  type        = number
  description = "Maximum number of on-demand container instances (managed scaling adds them when tasks do not fit)."
  default     = 3
}

variable "root_volume_size" {
  type        = number
  description = "Root EBS volume size in GiB (the ECS-optimised Amazon Linux 2023 AMI needs at least 30)."
  default     = 30

  validation {
    condition     = var.root_volume_size >= 30
    error_message = "root_volume_size must be at least 30 GiB (the AMI snapshot size)."
  }
}

variable "assign_public_ip" {
  type        = bool
  description = "Give instances a public IPv4 address (needed for egress when there is no NAT gateway)."
  default     = true
}

variable "spot_enabled" {
  type        = bool
  description = "Create a second, Spot-only Auto Scaling group and capacity provider (used by the worker service)."
  default     = false
}

variable "spot_instance_types" {
  type        = list(string)
  description = "Instance types the Spot group may use (same architecture as cpu_architecture)."
  default     = ["t4g.small", "t4g.medium", "m6g.medium"]
}

variable "spot_max_size" {
  type        = number
  description = "Maximum number of Spot container instances (the group starts empty)."
  default     = 3
}

variable "target_capacity" {
  type        = number
  description = "Managed scaling target: percentage of the instances' capacity that tasks may reserve."
  default     = 100

  validation {
    condition     = var.target_capacity > 0 && var.target_capacity <= 100
    error_message = "target_capacity must be between 1 and 100."
  }
}

variable "container_insights" {
  type        = bool
  description = "Turn on CloudWatch Container Insights (per-service task counts for the dashboard; roughly $25/month of extra metrics for this cluster)."
  default     = false
}

variable "enable_ssm" {
  type        = bool
  description = "Attach AmazonSSMManagedInstanceCore so operators can open Session Manager shells (no SSH keys, no open port)."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
