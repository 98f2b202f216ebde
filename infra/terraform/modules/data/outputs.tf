output "readings_table_name" {
  description = "Name of the readings table."
  value       = aws_dynamodb_table.readings.name
}

output "readings_table_arn" {
  description = "ARN of the readings table."
  value       = aws_dynamodb_table.readings.arn
}

output "readings_by_sensor_index_arn" {
  description = "ARN of the readings table's by_sensor global secondary index."
  value       = "${aws_dynamodb_table.readings.arn}/index/by_sensor"
}

output "daily_table_name" {
  description = "Name of the daily summaries table."
  value       = aws_dynamodb_table.daily.name
}

output "daily_table_arn" {
  description = "ARN of the daily summaries table."
  value       = aws_dynamodb_table.daily.arn
}

output "jobs_table_name" {
  description = "Name of the export jobs table."
  value       = aws_dynamodb_table.jobs.name
}

output "jobs_table_arn" {
  description = "ARN of the export jobs table."
  value       = aws_dynamodb_table.jobs.arn
}

output "table_names" {
  description = "Names of every table (for dashboards and alarms)."
  value       = [aws_dynamodb_table.readings.name, aws_dynamodb_table.daily.name, aws_dynamodb_table.jobs.name]
}

output "exports_queue_name" {
  description = "Name of the exports queue."
  value       = aws_sqs_queue.exports.name
}

output "exports_queue_arn" {
  description = "ARN of the exports queue."
  value       = aws_sqs_queue.exports.arn
}

output "exports_queue_url" {
  description = "URL of the exports queue."
  value       = aws_sqs_queue.exports.id
}

output "exports_dlq_name" {
  description = "Name of the exports dead-letter queue."
  value       = aws_sqs_queue.exports_dlq.name
}

output "exports_dlq_arn" {
  description = "ARN of the exports dead-letter queue."
  value       = aws_sqs_queue.exports_dlq.arn
}

output "exports_bucket_name" {
  description = "Name of the exports bucket."
  value       = aws_s3_bucket.exports.bucket
}

output "exports_bucket_arn" {
  description = "ARN of the exports bucket."
  value       = aws_s3_bucket.exports.arn
}
