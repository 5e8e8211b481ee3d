"""Who may do what: roles, the permission table, accounts, sign-in and API tokens."""
