# Internet-facing Application Load Balancer.
#
# Routing: /api, /api/*, /healthz and /readyz go straight to the api target group, internal paths (/metrics) get a
# 404, everything else goes to web (nginx with the static UI). nginx's own /api/ proxy is then
# only used where there is no ALB (compose, `make run`): same origin either way, no CORS.
# Targets are ECS tasks in bridge mode, registered as instance:dynamic-port.

locals {
  https = var.certificate_arn != null
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Load balancer: HTTP/HTTPS in from the allowed ranges, task ports out to the VPC"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "http" {
  #checkov:skip=CKV_AWS_260:A public website: port 80 must be open to the internet (it redirects to HTTPS when a certificate is configured).
  for_each = toset(var.ingress_cidrs)

  security_group_id = aws_security_group.alb.id
  description       = "HTTP from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  for_each = local.https ? toset(var.ingress_cidrs) : toset([])

  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "to_tasks" {
  security_group_id = aws_security_group.alb.id
  description       = "Bridge-mode task ports on the container instances"
  ip_protocol       = "tcp"
  from_port         = 32768
  to_port           = 65535
  cidr_ipv4         = var.vpc_cidr_block
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:AWS WAF costs at least $5/month plus $1 per rule, a large part of the cost target; the api enforces its own rate limit and overload shedding (429/503).
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket with a delivery policy and cost per GB; request logs are already written by nginx and gunicorn to CloudWatch Logs.
  name                       = var.name
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.subnet_ids
  idle_timeout               = var.idle_timeout
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  desync_mitigation_mode     = "defensive"

  tags = var.tags
}

resource "aws_lb_target_group" "web" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the hop to the task is plain HTTP inside the VPC, to a port that only the load balancer's security group may reach.
  name                 = "${var.name}-web"
  port                 = var.web_port
  protocol             = "HTTP"
  target_type          = "instance"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = var.web_health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

resource "aws_lb_target_group" "api" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the hop to the task is plain HTTP inside the VPC, to a port that only the load balancer's security group may reach.
  name                 = "${var.name}-api"
  port                 = var.api_port
  protocol             = "HTTP"
  target_type          = "instance"
  vpc_id               = var.vpc_id
  deregistration_delay = 60 # let streamed CSV responses finish

  health_check {
    enabled             = true
    path                = var.api_health_check_path
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

# Port 80: redirect to HTTPS when there is a certificate, otherwise serve the site.
resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 serves plain HTTP only until var.certificate_arn is set (a first deploy without a domain); with a certificate it only redirects to HTTPS.
  #checkov:skip=CKV_AWS_103:TLS applies to the HTTPS listener only, which uses a TLS 1.2+ policy (var.ssl_policy).
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.web.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }

  tags = var.tags
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }

  tags = var.tags
}

locals {
  # The listener that serves the site: HTTPS when there is a certificate, else HTTP.
  serving_listener_arn = local.https ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
}

resource "aws_lb_listener_rule" "blocked" {
  listener_arn = local.serving_listener_arn
  priority     = 5

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "Not found"
      status_code  = "404"
    }
  }

  condition {
    path_pattern {
      values = var.blocked_path_patterns
    }
  }

  tags = var.tags
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = local.serving_listener_arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }

  condition {
    path_pattern {
      values = var.api_path_patterns
    }
  }

  tags = var.tags
}
