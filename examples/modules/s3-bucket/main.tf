# An S3 bucket for one workload, with an IAM user whose key can use only
# that bucket. Baton runs it through the `terraform` driver (definition.yaml)
# and keeps its state; the provider's credentials come from the definition's
# secret `env`.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "name" {
  type        = string
  description = "Bucket name (3-63 lowercase letters, digits, dots and hyphens)."
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "tags" {
  type    = map(string)
  default = {}
}

provider "aws" {
  region = var.region
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_iam_user" "this" {
  name = "${var.name}-app"
  tags = var.tags
}

resource "aws_iam_user_policy" "this" {
  name = "bucket-access"
  user = aws_iam_user.this.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
      Resource = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    }]
  })
}

resource "aws_iam_access_key" "this" {
  user = aws_iam_user.this.name
}

output "bucket" {
  value = aws_s3_bucket.this.bucket
}

output "region" {
  value = var.region
}

output "endpoint" {
  value = "https://s3.${var.region}.amazonaws.com"
}

output "arn" {
  value = aws_s3_bucket.this.arn
}

output "aws_access_key_id" {
  value = aws_iam_access_key.this.id
}

output "aws_secret_key" {
  value     = aws_iam_access_key.this.secret
  sensitive = true
}
