output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 hosted zone ID of the load balancer (for an alias record)."
  value       = aws_lb.this.zone_id
}

output "url" {
  description = "Base URL of the site."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (the LoadBalancer dimension of its CloudWatch metrics)."
  value       = aws_lb.this.arn_suffix
}

output "security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "web_target_group_arn" {
  description = "ARN of the web target group."
  value       = aws_lb_target_group.web.arn
  # ECS refuses a target group that no listener uses yet.
  depends_on = [aws_lb_listener.http, aws_lb_listener.https]
}

output "api_target_group_arn" {
  description = "ARN of the api target group."
  value       = aws_lb_target_group.api.arn
  depends_on  = [aws_lb_listener_rule.api]
}

output "web_target_group_arn_suffix" {
  description = "ARN suffix of the web target group (the TargetGroup dimension of its metrics)."
  value       = aws_lb_target_group.web.arn_suffix
}

output "api_target_group_arn_suffix" {
  description = "ARN suffix of the api target group (TargetGroup dimension; part of the ALBRequestCountPerTarget resource label)."
  value       = aws_lb_target_group.api.arn_suffix
}

output "serving_listener_arn" {
  description = "ARN of the listener that serves the site (HTTPS when a certificate is set, else HTTP)."
  value       = local.serving_listener_arn
}
