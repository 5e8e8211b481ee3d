"""Web plumbing shared by the routes: dependencies, error bodies, request limits, sign-in."""
