# DynamoDB tables, the exports queue with its dead-letter queue, and the exports bucket.
#
# Key schemas mirror airq.tables.table_definitions(); tests/unit/infra compares the two, so a change
# in one place without the other fails `make test`.

locals {
  provisioned = var.billing_mode == "PROVISIONED"
}

# --------------------------------------------------------------------------------------- DynamoDB

resource "aws_dynamodb_table" "readings" {
  #checkov:skip=CKV_AWS_119:Readings are public air-quality data; they are encrypted at rest with the AWS-owned key, and a customer-managed KMS key would add $1/month plus a KMS call per cached data key for no confidentiality gain.
  name                        = var.readings_table_name
  billing_mode                = var.billing_mode
  read_capacity               = local.provisioned ? var.provisioned_capacity.read : null
  write_capacity              = local.provisioned ? var.provisioned_capacity.write : null
  hash_key                    = "country_day"
  range_key                   = "ts_sensor"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "country_day"
    type = "S"
  }

  attribute {
    name = "ts_sensor"
    type = "S"
  }

  attribute {
    name = "sensor_id"
    type = "N"
  }

  attribute {
    name = "timestamp"
    type = "S"
  }

  global_secondary_index {
    name            = "by_sensor"
    hash_key        = "sensor_id"
    range_key       = "timestamp"
    projection_type = "ALL"
    read_capacity   = local.provisioned ? var.provisioned_capacity.read : null
    write_capacity  = local.provisioned ? var.provisioned_capacity.write : null
  }

  ttl {
    attribute_name = var.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }


  tags = merge(var.tags, { Name = var.readings_table_name })
}

resource "aws_dynamodb_table" "daily" {
  #checkov:skip=CKV_AWS_119:Summaries of public air-quality data; AWS-owned-key encryption at rest is sufficient (see readings).
  name                        = var.daily_table_name
  billing_mode                = var.billing_mode
  read_capacity               = local.provisioned ? var.provisioned_capacity.read : null
  write_capacity              = local.provisioned ? var.provisioned_capacity.write : null
  hash_key                    = "day"
  range_key                   = "scope"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "day"
    type = "S"
  }

  attribute {
    name = "scope"
    type = "S"
  }

  ttl {
    attribute_name = var.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }


  tags = merge(var.tags, { Name = var.daily_table_name })
}

resource "aws_dynamodb_table" "jobs" {
  #checkov:skip=CKV_AWS_119:Job records hold query filters and counts of public data; AWS-owned-key encryption at rest is sufficient (see readings).
  name                        = var.jobs_table_name
  billing_mode                = var.billing_mode
  read_capacity               = local.provisioned ? var.provisioned_capacity.read : null
  write_capacity              = local.provisioned ? var.provisioned_capacity.write : null
  hash_key                    = "job_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "job_id"
    type = "S"
  }

  ttl {
    attribute_name = var.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }


  tags = merge(var.tags, { Name = var.jobs_table_name })
}

# -------------------------------------------------------------------------------------------- SQS

resource "aws_sqs_queue" "exports_dlq" {
  name                      = var.exports_dlq_name
  message_retention_seconds = 1209600 # 14 days, the maximum: time to inspect and redrive
  sqs_managed_sse_enabled   = true

  tags = merge(var.tags, { Name = var.exports_dlq_name })
}

resource "aws_sqs_queue" "exports" {
  name                       = var.exports_queue_name
  visibility_timeout_seconds = var.visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20 # long polling: fewer empty receives, lower cost
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.exports_dlq.arn
    maxReceiveCount     = var.max_receive_count
  })

  tags = merge(var.tags, { Name = var.exports_queue_name })
}

# Only the exports queue may move messages into the dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "exports_dlq" {
  queue_url = aws_sqs_queue.exports_dlq.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.exports.arn]
  })
}

data "aws_iam_policy_document" "queue_tls_only" {
  for_each = {
    exports = aws_sqs_queue.exports.arn
    dlq     = aws_sqs_queue.exports_dlq.arn
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [each.value]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "tls_only" {
  for_each = {
    exports = aws_sqs_queue.exports.id
    dlq     = aws_sqs_queue.exports_dlq.id
  }

  queue_url = each.value
  policy    = data.aws_iam_policy_document.queue_tls_only[each.key].json
}

# --------------------------------------------------------------------------------------------- S3

resource "aws_s3_bucket" "exports" {
  #checkov:skip=CKV_AWS_18:Server access logs would need a second bucket and cost more than the exports themselves; CloudTrail data events can be turned on when needed.
  #checkov:skip=CKV_AWS_21:Export files are derived data that a job can regenerate and that expire after a few days; versioning would only keep expired copies around.
  #checkov:skip=CKV_AWS_144:Cross-region replication of regenerable, short-lived exports is not worth doubling storage and transfer.
  #checkov:skip=CKV2_AWS_62:Nothing consumes bucket events: the worker records job state in DynamoDB when it finishes an upload.
  bucket        = var.exports_bucket_name
  force_destroy = var.force_destroy_bucket

  tags = merge(var.tags, { Name = var.exports_bucket_name })
}

resource "aws_s3_bucket_public_access_block" "exports" {
  bucket = aws_s3_bucket.exports.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "exports" {
  bucket = aws_s3_bucket.exports.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-KMS with the AWS-managed aws/s3 key and an S3 Bucket Key (few KMS calls, no key to manage).
# The aws/s3 key policy lets any principal of the account use it through S3, so presigned GETs
# signed by the api task role work without extra KMS permissions.
resource "aws_s3_bucket_server_side_encryption_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "exports" {
  bucket = aws_s3_bucket.exports.id

  rule {
    id     = "expire-exports"
    status = "Enabled"

    filter {}

    expiration {
      days = var.exports_expiry_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "bucket_tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.exports.arn, "${aws_s3_bucket.exports.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "exports" {
  bucket = aws_s3_bucket.exports.id
  policy = data.aws_iam_policy_document.bucket_tls_only.json

  depends_on = [aws_s3_bucket_public_access_block.exports]
}
