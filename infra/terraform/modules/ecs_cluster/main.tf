# ECS cluster on EC2: launch template with the ECS-optimised AMI (from SSM), an on-demand Auto
# Scaling group behind a capacity provider with managed scaling, and an optional Spot group.

locals {
  ami_parameter = var.cpu_architecture == "ARM64" ? "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id" : "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"

  # Bridge networking: the ECS agent maps each container port to a host port in this range.
  ephemeral_from = 32768
  ephemeral_to   = 65535
}

data "aws_ssm_parameter" "ami" {
  name = local.ami_parameter
}

resource "aws_ecs_cluster" "this" {
  #checkov:skip=CKV_AWS_65:Container Insights is a variable (var.container_insights); off by default because it adds about $25/month of metrics, half the cost target. The free AWS/ECS service metrics and the SQS metrics drive scaling.
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights ? "enabled" : "disabled"
  }

  tags = var.tags
}

# ------------------------------------------------------------------------------ instance identity

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name               = "${var.name}-ecs-instance"
  assume_role_policy = data.aws_iam_policy_document.instance_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "instance_ecs" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_role_policy_attachment" "instance_ssm" {
  count = var.enable_ssm ? 1 : 0

  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-ecs-instance"
  role = aws_iam_role.instance.name
  tags = var.tags
}

# --------------------------------------------------------------------------------- security group

resource "aws_security_group" "instances" {
  name        = "${var.name}-ecs-instances"
  description = "ECS container instances: dynamic task ports from the ALB only; HTTPS out"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-ecs-instances" })
}

resource "aws_vpc_security_group_ingress_rule" "from_alb" {
  security_group_id            = aws_security_group.instances.id
  description                  = "Bridge-mode task ports, from the load balancer only"
  ip_protocol                  = "tcp"
  from_port                    = local.ephemeral_from
  to_port                      = local.ephemeral_to
  referenced_security_group_id = var.alb_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.instances.id
  description       = "HTTPS to AWS APIs, ECR and the sensor.community feed"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

# DNS (the VPC resolver), the instance metadata service and Amazon Time Sync are link-local or
# VPC-reserved addresses that security groups do not filter, so no rule is needed for them.

# -------------------------------------------------------------------------------- launch template

resource "aws_launch_template" "this" {
  #checkov:skip=CKV_AWS_88:Instances need a public IPv4 address for egress because there is no NAT gateway (cost). Inbound is closed by the security group (task ports from the ALB only, no SSH); tasks use bridge networking behind it.
  name_prefix   = "${var.name}-"
  image_id      = data.aws_ssm_parameter.ami.value
  instance_type = var.instance_type
  user_data = base64encode(templatefile("${path.module}/user_data.sh.tftpl", {
    cluster_name = aws_ecs_cluster.this.name
  }))

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  network_interfaces {
    associate_public_ip_address = var.assign_public_ip
    delete_on_termination       = true
    security_groups             = [aws_security_group.instances.id]
  }

  # IMDSv2 only, and a hop limit of 1: bridge-mode containers are one hop further away and cannot
  # reach the instance role's credentials; they get their own task role from the ECS agent.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = false # detailed monitoring is $2.10/instance-month; 5-minute EC2 metrics suffice
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-ecs" })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = "${var.name}-ecs" })
  }

  tags = var.tags
}

# ----------------------------------------------------------------------------- auto scaling groups

resource "aws_autoscaling_group" "on_demand" {
  name_prefix         = "${var.name}-od-"
  vpc_zone_identifier = var.subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.min_size
  health_check_type   = "EC2"
  # Managed termination protection: ECS decides which instances are empty enough to stop.
  protect_from_scale_in = true
  enabled_metrics       = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMaxSize"]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Name"
    value               = "${var.name}-ecs"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # Managed scaling owns the desired capacity after creation.
    ignore_changes = [desired_capacity]
  }
}

resource "aws_autoscaling_group" "spot" {
  count = var.spot_enabled ? 1 : 0

  name_prefix           = "${var.name}-spot-"
  vpc_zone_identifier   = var.subnet_ids
  min_size              = 0
  max_size              = var.spot_max_size
  desired_capacity      = 0
  health_check_type     = "EC2"
  protect_from_scale_in = true
  capacity_rebalance    = true
  enabled_metrics       = ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupMaxSize"]

  mixed_instances_policy {
    instances_distribution {
      on_demand_base_capacity                  = 0
      on_demand_percentage_above_base_capacity = 0
      spot_allocation_strategy                 = "price-capacity-optimized"
    }

    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.this.id
        version            = aws_launch_template.this.latest_version
      }

      dynamic "override" {
        for_each = var.spot_instance_types
        content {
          instance_type = override.value
        }
      }
    }
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  tag {
    key                 = "Name"
    value               = "${var.name}-ecs-spot"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    ignore_changes = [desired_capacity]
  }
}

# ---------------------------------------------------------------------------- capacity providers

resource "aws_ecs_capacity_provider" "on_demand" {
  name = "${var.name}-on-demand"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.on_demand.arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = var.target_capacity
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
      instance_warmup_period    = 180
    }
  }

  tags = var.tags
}

resource "aws_ecs_capacity_provider" "spot" {
  count = var.spot_enabled ? 1 : 0

  name = "${var.name}-spot"

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.spot[0].arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = var.target_capacity
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
      instance_warmup_period    = 180
    }
  }

  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = concat([aws_ecs_capacity_provider.on_demand.name], aws_ecs_capacity_provider.spot[*].name)

  default_capacity_provider_strategy {
    capacity_provider = aws_ecs_capacity_provider.on_demand.name
    base              = 0
    weight            = 1
  }
}
