output "repository_urls" {
  description = "Repository URLs (registry/name, without a tag), by repository name."
  value       = { for k, v in aws_ecr_repository.this : k => v.repository_url }
}

output "repository_arns" {
  description = "Repository ARNs, by repository name."
  value       = { for k, v in aws_ecr_repository.this : k => v.arn }
}

output "registry_id" {
  description = "Registry (account) ID that holds the repositories."
  value       = one(distinct([for r in aws_ecr_repository.this : r.registry_id]))
}
