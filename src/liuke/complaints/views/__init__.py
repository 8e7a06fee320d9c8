"""Complaint pages, one module per concept: `cases` (list, opening, the guided page),
`working` (the guided page's forms), `manage` (approvals, settings, reports, the profile
panel); `shared` holds what several use."""
