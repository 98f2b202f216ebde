variable "name" {
  type        = string
  description = "Name prefix for every network resource (for example \"airq\")."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 CIDR block of the VPC."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be a valid IPv4 CIDR block."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones (names, e.g. us-east-1a) of the public subnets, one subnet each; the ALB needs at least two. Pinned by name so the network never changes when AWS adds or impairs a zone."

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4
    error_message = "availability_zones must name between 2 and 4 zones."
  }
}

variable "interface_endpoints" {
  type        = list(string)
  description = "AWS service names (the part after com.amazonaws.<region>., e.g. \"sqs\", \"ecr.api\", \"ecr.dkr\", \"logs\", \"monitoring\") that get an interface VPC endpoint. Each costs about $7.30 per month per AZ; empty by default because the instances reach AWS over their public IPs."
  default     = []
}

variable "interface_endpoint_az_count" {
  type        = number
  description = "Number of AZs (subnets) each interface endpoint is placed in. One halves the cost; traffic from the other AZ then crosses AZs."
  default     = 1

  validation {
    condition     = var.interface_endpoint_az_count >= 1
    error_message = "interface_endpoint_az_count must be at least 1."
  }
}

variable "flow_logs_retention_days" {
  type        = number
  description = "Retention of the VPC flow log group (REJECT records only). 0 turns VPC flow logs off."
  default     = 0
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
