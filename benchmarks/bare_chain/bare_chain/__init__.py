"""The bare chain's handlers (see ../system.yaml): the benchmarks' floor, no libraries but boto3."""
