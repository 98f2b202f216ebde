variable "name" {
  type        = string
  description = "Name prefix of the load balancer, its security group and target groups (at most 20 characters)."

  validation {
    condition     = length(var.name) <= 20
    error_message = "name must be at most 20 characters (target group names are limited to 32)."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the load balancer and its target groups."
}

variable "vpc_cidr_block" {
  type        = string
  description = "CIDR block of the VPC; the load balancer may only open connections to it."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnets of the load balancer, in at least two availability zones."
}

variable "ingress_cidrs" {
  type        = list(string)
  description = "IPv4 ranges allowed to reach the load balancer on ports 80 and 443."
  default     = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for an HTTPS listener. With it, port 80 redirects to 443; without it (null), the site is served over plain HTTP on port 80."
  default     = null
}

variable "ssl_policy" {
  type        = string
  description = "TLS policy of the HTTPS listener."
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "idle_timeout" {
  type        = number
  description = "Seconds a connection may stay idle (streamed CSV responses need more than the 60 s default)."
  default     = 120
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer from deletion; set to false and apply before `terraform destroy`."
  default     = true
}

variable "web_port" {
  type        = number
  description = "Container port of the web (nginx) service."
  default     = 8080
}

variable "api_port" {
  type        = number
  description = "Container port of the api (gunicorn) service."
  default     = 8000
}

variable "api_health_check_path" {
  type        = string
  description = "Liveness path of the api target group (the API's /healthz)."
  default     = "/healthz"
}

variable "web_health_check_path" {
  type        = string
  description = "Liveness path of the web target group: nginx's own, so that web stays healthy while the api is not."
  default     = "/nginx-healthz"
}

variable "api_path_patterns" {
  type        = list(string)
  description = "Path patterns the load balancer sends straight to the api service (everything else goes to web)."
  default     = ["/api", "/api/*", "/healthz", "/readyz"]
}

variable "blocked_path_patterns" {
  type        = list(string)
  description = "Path patterns answered with 404 at the load balancer (internal endpoints such as Prometheus metrics)."
  default     = ["/metrics", "/metrics/*"]
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of this module."
  default     = {}
}
