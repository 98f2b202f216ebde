output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone."
  value       = aws_subnet.public[*].id
}

output "availability_zones" {
  description = "Availability zones the subnets are in."
  value       = local.azs
}

output "gateway_endpoint_ids" {
  description = "IDs of the DynamoDB and S3 gateway endpoints, by service."
  value       = { for k, v in aws_vpc_endpoint.gateway : k => v.id }
}

output "interface_endpoint_ids" {
  description = "IDs of the interface endpoints, by service (empty unless var.interface_endpoints is set)."
  value       = { for k, v in aws_vpc_endpoint.interface : k => v.id }
}
