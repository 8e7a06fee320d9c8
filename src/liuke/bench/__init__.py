"""The benchmarks behind `liuke bench` (docs/benchmarks.md), one module per part: `search`,
`sales`, `engagement`, `analytics` and `audit` (with `audit_browse`, and `audit_server` /
`audit_urls`, the gunicorn entry and URLconf of the audit benchmark's server). Each part runs its
measurements in child processes (`python -m liuke.bench.<part>`), so this package imports
nothing itself: a child loads only the part it runs."""
