terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70.0, < 6.0.0"
    }
  }

  # State is local by default. For a team, keep it in S3: copy backend.tf.example to backend.tf,
  # fill in the bucket, and run `terraform init -migrate-state`.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = var.name_prefix, ManagedBy = "terraform" }, var.tags)
  }
}
