"""Deploying the declared system to an AWS-compatible endpoint (an emulator, by default)."""
