output "name" {
  value = aws_s3_bucket.this.id
}

output "arn" {
  value = aws_s3_bucket.this.arn
}

# Every object of the bucket: arn:aws:s3:::<bucket>/*.
output "objects_arn" {
  value = "${aws_s3_bucket.this.arn}/*"
}

# The objects under each of object_prefixes: { "shared/" = "arn:aws:s3:::<bucket>/shared/*" }.
output "prefix_objects_arns" {
  value = { for prefix in var.object_prefixes : prefix => "${aws_s3_bucket.this.arn}/${prefix}*" }
}
