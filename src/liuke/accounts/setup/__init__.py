"""Setting up a business: its branches, its staff and their invitations, the first-run
checklist. Writes (services) by concept, one module each; the reads are in
`liuke.accounts.selectors`."""
