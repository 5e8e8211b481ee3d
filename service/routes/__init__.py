"""Thin routers: parse, call one repository or domain function, return."""
