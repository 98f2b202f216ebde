variable "repositories" {
  type        = list(string)
  description = "Names of the ECR repositories to create, one per container image (e.g. airq-api)."
}

variable "keep_images" {
  type        = number
  description = "Number of most recent images kept per repository; older ones expire (ECR storage is $0.10/GB-month)."
  default     = 10

  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images must be at least 1."
  }
}

variable "force_delete" {
  type        = bool
  description = "Let `terraform destroy` delete repositories that still hold images."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
