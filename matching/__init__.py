"""Matching library: partner recommendation, meeting scheduling and reward rules. Plain data in and out."""
