"""What a partner query asks for: which side, and how far afield. Light, so the CLI can name them at start-up."""

from enum import StrEnum


class Direction(StrEnum):
    SUPPLIERS = "suppliers"
    CUSTOMERS = "customers"


class Scope(StrEnum):
    LOCAL = "local"
    G60 = "g60"
    ANY = "any"
