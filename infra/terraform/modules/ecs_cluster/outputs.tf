output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "on_demand_capacity_provider" {
  description = "Name of the on-demand capacity provider."
  value       = aws_ecs_capacity_provider.on_demand.name
  # Services may only use a capacity provider once it is attached to the cluster.
  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "spot_capacity_provider" {
  description = "Name of the Spot capacity provider, or null when Spot is off."
  value       = one(aws_ecs_capacity_provider.spot[*].name)
  depends_on  = [aws_ecs_cluster_capacity_providers.this]
}

output "instance_security_group_id" {
  description = "Security group of the container instances."
  value       = aws_security_group.instances.id
}

output "on_demand_asg_name" {
  description = "Name of the on-demand Auto Scaling group."
  value       = aws_autoscaling_group.on_demand.name
}

output "spot_asg_name" {
  description = "Name of the Spot Auto Scaling group, or null when Spot is off."
  value       = one(aws_autoscaling_group.spot[*].name)
}

output "instance_role_name" {
  description = "Name of the container instances' IAM role."
  value       = aws_iam_role.instance.name
}
